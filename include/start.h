/* start.h — the static bootstrap's entry point, before musl's own.
 *
 * A static-pie binary relocates itself before main. Linked the usual way,
 * musl's start code reads about 13,600 RELA entries (330 KB, 80 pages) and
 * writes a pointer into about 70 pages, nearly all of them OpenSSL's tables,
 * each page first touched through a page fault of its own. Where faults are
 * dear — a microVM inside another VM measures about 13 µs each — that was
 * most of a 2.9 ms cold start.
 *
 * tw_start, the ELF entry point of the static bootstrap (-Wl,-e,tw_start),
 * does three things and then jumps to musl's _start with the stack as the
 * kernel left it:
 *   1. asks the kernel for the writable segment's pages in one call,
 *      madvise(MADV_POPULATE_WRITE) (Linux 5.14 and later; an older kernel
 *      answers EINVAL and the pages fault in one by one as before);
 *   2. applies the packed relative relocations, DT_RELR (ld -z
 *      pack-relative-relocs: the same relocations in 4.5 KB instead of
 *      330 KB). Debian 12's musl (1.2.3) predates DT_RELR and would leave
 *      them undone; once they are applied DT_RELRSZ is set to 0, so a musl
 *      that does know DT_RELR (1.2.4 and later) has nothing left to apply;
 *   3. where relocations are still in a DT_RELA table (the aarch64 link:
 *      Debian 12's aarch64 ld ignores -z pack-relative-relocs), asks for that
 *      table's pages in one call too, madvise(MADV_POPULATE_READ).
 * Page contents are never changed by 1 and 3, only when they are mapped.
 *
 * Once everything is relocated, before main, a constructor here makes
 * PT_GNU_RELRO read-only (the relocated pointer tables and the GOT): musl's
 * dynamic linker does that, but its static-pie start code does not, so
 * without it RELRO would be a header and nothing more.
 *
 * The code that runs before relocation may not use anything that needs a
 * relocation (no global pointers, no GOT or PLT, no libc, no stack
 * protector: its canary lives in TLS, which is not set up yet). The native
 * builds (tests, sanitizers) link the same file but keep their usual entry
 * point; the functions below are pure and unit-tested there. */
#ifndef TW_START_H
#define TW_START_H

#include <link.h>
#include <stddef.h>
#include <stdint.h>

#define TW_START_HIDDEN __attribute__((visibility("hidden")))

/* Writable PT_LOAD segments a program can have (the linker makes one). */
#define TW_START_MAX_SPANS 4

struct tw_start_span {
    uintptr_t addr; /* page-aligned */
    size_t len;     /* a multiple of the page size, > 0 */
};

/* The load bias of the image whose ELF header is mapped at `eh`: where `eh`
 * is, less the p_vaddr of the PT_LOAD at file offset 0. Returns 0 and sets
 * *bias, or -1 when no PT_LOAD maps the header. Reads only the program
 * headers. */
int tw_start_load_bias(const ElfW(Ehdr) *eh, uintptr_t *bias) TW_START_HIDDEN;

/* The file-backed pages of each writable PT_LOAD segment of that image,
 * rounded out to `pagesz` (a power of two; 0 or anything else gives no
 * spans; so does an image without a load bias). The zero-fill tail (p_memsz
 * beyond p_filesz) is left out: it is anonymous memory, written only where
 * the program writes it. Returns the number of spans written to `out` (at
 * most `max`). */
size_t tw_start_writable_spans(const ElfW(Ehdr) *eh, size_t pagesz,
                               struct tw_start_span *out, size_t max) TW_START_HIDDEN;

/* The whole pages of the image's PT_GNU_RELRO range, from its start rounded
 * down to its end rounded down (the page the range ends in may hold writable
 * data: it stays writable, as every dynamic linker leaves it). Returns 0 and
 * fills *out, or -1 when there is no such range or no whole page of it. */
int tw_start_relro_span(const ElfW(Ehdr) *eh, size_t pagesz, struct tw_start_span *out)
    TW_START_HIDDEN;

/* Applies the DT_RELR table that the dynamic array `dyn` names to an image
 * loaded at `bias`: each word it designates gets `bias` added. Then sets the
 * array's DT_RELRSZ to 0, so that applying it again changes nothing. Returns
 * the number of words relocated (0 without a DT_RELR table, or with one whose
 * entries are not address-sized). */
size_t tw_start_apply_relr(ElfW(Dyn) *dyn, uintptr_t bias) TW_START_HIDDEN;

#endif
