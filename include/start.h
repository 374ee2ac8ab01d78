/* start.h — the static bootstrap's entry point, before musl's own.
 *
 * A static-pie binary relocates itself before main: musl's start code writes
 * every pointer in the writable segment (about 13,600 of them, nearly all in
 * OpenSSL's tables), and each page it writes first is a copy-on-write page
 * fault. Where faults are dear — a microVM inside another VM measures about
 * 13 µs each — those ~70 faults are most of a cold start.
 *
 * tw_start (the ELF entry point of the static bootstrap, set with
 * -Wl,-e,tw_start) first asks the kernel to make those pages private in one
 * call, madvise(MADV_POPULATE_WRITE) (Linux 5.14 and later), then jumps to
 * musl's _start as if nothing had happened. The page contents are unchanged;
 * only when the copies are made moves. On an older kernel the call fails with
 * EINVAL and start-up is exactly as without it.
 *
 * The code that runs before relocation may not use anything that needs a
 * relocation (no global pointers, no libc, no stack protector: TLS is not set
 * up yet), so it is kept to the pure span computation below and one system
 * call. The native builds (tests, sanitizers) link the same file but keep
 * their usual entry point. */
#ifndef TW_START_H
#define TW_START_H

#include <link.h>
#include <stddef.h>
#include <stdint.h>

/* Writable PT_LOAD segments a program can have (the linker makes one). */
#define TW_START_MAX_SPANS 4

struct tw_start_span {
    uintptr_t addr; /* page-aligned */
    size_t len;     /* a multiple of the page size, > 0 */
};

/* The file-backed pages of each writable PT_LOAD segment of the image whose
 * ELF header is mapped at `eh`, rounded out to `pagesz` (a power of two; 0 or
 * anything else gives no spans). The load bias is where `eh` is, less the
 * p_vaddr of the PT_LOAD at file offset 0; an image without one gives no
 * spans. The zero-fill tail (p_memsz beyond p_filesz) is left out: it is
 * anonymous memory, written only where the program writes it. Returns the
 * number of spans written to `out` (at most `max`). Pure: reads only the ELF
 * header and the program headers, and may run before relocation. */
size_t tw_start_writable_spans(const ElfW(Ehdr) *eh, size_t pagesz,
                               struct tw_start_span *out, size_t max)
    __attribute__((visibility("hidden")));

#endif
