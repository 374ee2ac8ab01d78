/* start.c — tw_start: the static bootstrap's pages in one system call
 * each, its packed relocations applied, then musl's _start; and, once
 * relocated, RELRO made read-only (start.h says why).
 *
 * Everything tw_start runs comes before the binary has relocated itself, so:
 *   - only PC-relative references (hidden symbols, no GOT, no PLT);
 *   - no libc (its code is fine, but errno and TLS are not ready);
 *   - no stack protector (its canary lives in TLS);
 *   - nothing that can fail loudly: a refused madvise only skips a hint. */
#include "start.h"

#include <elf.h>
#include <limits.h>
#include <sys/mman.h>
#include <unistd.h>

#define TW_START_NOSSP __attribute__((no_stack_protector))
#define TW_START_EARLY __attribute__((visibility("hidden"), no_stack_protector))

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ  22 /* <sys/mman.h> of Linux 5.14+; musl 1.2.3 lacks them */
#define MADV_POPULATE_WRITE 23
#endif
#ifndef DT_RELR
#define DT_RELRSZ  35 /* <elf.h> of glibc 2.36+, musl 1.2.4+ */
#define DT_RELR    36
#define DT_RELRENT 37
#endif

/* Made by the linker: the ELF header, where the image maps it. (Not
 * _DYNAMIC: a non-PIE link has none, and a weak reference would go through
 * the GOT, which is not relocated yet; PT_DYNAMIC says where it is.) */
extern const ElfW(Ehdr) __ehdr_start TW_START_HIDDEN;

void tw_start_early(const uintptr_t *sp) TW_START_EARLY;

TW_START_EARLY
int tw_start_load_bias(const ElfW(Ehdr) *eh, uintptr_t *bias)
{
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff);

    for (size_t i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) {
            *bias = (uintptr_t)eh - (uintptr_t)ph[i].p_vaddr;
            return 0;
        }
    }
    return -1;
}

TW_START_EARLY
size_t tw_start_writable_spans(const ElfW(Ehdr) *eh, size_t pagesz,
                               struct tw_start_span *out, size_t max)
{
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff);
    uintptr_t bias, mask = (uintptr_t)pagesz - 1;
    size_t n = 0;

    if (pagesz == 0 || (pagesz & mask) != 0 || tw_start_load_bias(eh, &bias) != 0)
        return 0;
    for (size_t i = 0; i < eh->e_phnum && n < max; i++) {
        uintptr_t from, to;

        if (ph[i].p_type != PT_LOAD || !(ph[i].p_flags & PF_W) || ph[i].p_filesz == 0)
            continue;
        from = (bias + (uintptr_t)ph[i].p_vaddr) & ~mask;
        to = (bias + (uintptr_t)ph[i].p_vaddr + (uintptr_t)ph[i].p_filesz + mask) & ~mask;
        out[n].addr = from;
        out[n].len = (size_t)(to - from);
        n++;
    }
    return n;
}

/* The image's dynamic array (PT_DYNAMIC), or NULL: a non-PIE static link
 * has none. */
TW_START_NOSSP
static ElfW(Dyn) *s_dynamic(const ElfW(Ehdr) *eh, uintptr_t bias)
{
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff);

    for (size_t i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_DYNAMIC)
            return (ElfW(Dyn) *)(bias + (uintptr_t)ph[i].p_vaddr);
    return NULL;
}

int tw_start_relro_span(const ElfW(Ehdr) *eh, size_t pagesz, struct tw_start_span *out)
{
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff);
    uintptr_t bias, mask = (uintptr_t)pagesz - 1;

    if (pagesz == 0 || (pagesz & mask) != 0 || tw_start_load_bias(eh, &bias) != 0)
        return -1;
    for (size_t i = 0; i < eh->e_phnum; i++) {
        uintptr_t from, to;

        if (ph[i].p_type != PT_GNU_RELRO)
            continue;
        from = (bias + (uintptr_t)ph[i].p_vaddr) & ~mask;
        to = (bias + (uintptr_t)ph[i].p_vaddr + (uintptr_t)ph[i].p_memsz) & ~mask;
        if (to <= from)
            return -1;
        out->addr = from;
        out->len = (size_t)(to - from);
        return 0;
    }
    return -1;
}

/* After relocation (constructors run after it, before main): RELRO becomes
 * read-only. Under glibc (the native test builds) the loader has done it
 * already and this changes nothing. A refusal leaves the pages writable, as
 * they were; there is no one to tell this early, and nothing else depends
 * on it. */
__attribute__((constructor)) static void s_protect_relro(void)
{
    struct tw_start_span span;
    long pagesz = sysconf(_SC_PAGESIZE);

    if (pagesz > 0 && tw_start_relro_span(&__ehdr_start, (size_t)pagesz, &span) == 0)
        (void)mprotect((void *)span.addr, span.len, PROT_READ);
}

/* The entry of `dyn` tagged `tag`, or NULL. */
TW_START_NOSSP
static ElfW(Dyn) *s_dyn_find(ElfW(Dyn) *dyn, ElfW(Sxword) tag)
{
    for (; dyn->d_tag != DT_NULL; dyn++)
        if (dyn->d_tag == tag)
            return dyn;
    return NULL;
}

/* The packed format (ELF gABI, "DT_RELR"): an even entry is the link-time
 * address of a word to relocate, and the next words follow it; an odd entry
 * is a bitmap whose bits 1..63 (on 64-bit) each say whether one of the next
 * 63 words is relocated. */
TW_START_EARLY
size_t tw_start_apply_relr(ElfW(Dyn) *dyn, uintptr_t bias)
{
    const size_t bits = CHAR_BIT * sizeof(uintptr_t) - 1;
    ElfW(Dyn) *table = s_dyn_find(dyn, DT_RELR), *size = s_dyn_find(dyn, DT_RELRSZ);
    ElfW(Dyn) *entsize = s_dyn_find(dyn, DT_RELRENT);
    const uintptr_t *relr, *end;
    uintptr_t *where = NULL;
    size_t n = 0;

    if (table == NULL || size == NULL || (entsize != NULL && entsize->d_un.d_val != sizeof(uintptr_t)))
        return 0;
    relr = (const uintptr_t *)(bias + (uintptr_t)table->d_un.d_ptr);
    end = relr + size->d_un.d_val / sizeof(uintptr_t);
    for (; relr < end; relr++) {
        uintptr_t entry = *relr;

        if ((entry & 1) == 0) {
            where = (uintptr_t *)(bias + entry);
            *where++ += bias;
            n++;
            continue;
        }
        if (where == NULL) /* a bitmap before any address: malformed */
            break;
        for (size_t i = 0; (entry >>= 1) != 0; i++) {
            if (entry & 1) {
                where[i] += bias;
                n++;
            }
        }
        where += bits;
    }
    size->d_un.d_val = 0;
    return n;
}

/* The page size from the auxiliary vector that follows argv and envp on the
 * initial stack; 0 when absent. */
TW_START_NOSSP
static size_t s_page_size(const uintptr_t *sp)
{
    const uintptr_t *p = sp + 1 + sp[0] + 1; /* argc, argv[], NULL */

    while (*p != 0) /* envp[], NULL */
        p++;
    for (p++; p[0] != AT_NULL; p += 2)
        if (p[0] == AT_PAGESZ)
            return (size_t)p[1];
    return 0;
}

#if defined(__x86_64__)
TW_START_NOSSP
static long s_madvise(uintptr_t addr, size_t len, long advice)
{
    long ret;

    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(28L /* SYS_madvise */), "D"(addr), "S"(len), "d"(advice)
                     : "rcx", "r11", "memory");
    return ret;
}

/* Entry: the kernel's stack pointer goes to tw_start_early and, intact, to
 * musl's _start (rbx is callee-saved; the stack is 16-byte aligned at entry). */
__asm__(".text\n"
        ".globl tw_start\n"
        ".hidden tw_start\n"
        ".type tw_start,@function\n"
        "tw_start:\n"
        "    mov %rsp, %rbx\n"
        "    mov %rsp, %rdi\n"
        "    call tw_start_early\n"
        "    mov %rbx, %rsp\n"
        "    xor %ebx, %ebx\n"
        "    jmp _start\n"
        ".size tw_start, .-tw_start\n");
#elif defined(__aarch64__)
TW_START_NOSSP
static long s_madvise(uintptr_t addr, size_t len, long advice)
{
    register long x8 __asm__("x8") = 233; /* SYS_madvise */
    register long x0 __asm__("x0") = (long)addr;
    register long x1 __asm__("x1") = (long)len;
    register long x2 __asm__("x2") = advice;

    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
}

/* Entry: as above; x19 is callee-saved, the stack is 16-byte aligned. */
__asm__(".text\n"
        ".globl tw_start\n"
        ".hidden tw_start\n"
        ".type tw_start,%function\n"
        "tw_start:\n"
        "    mov x19, sp\n"
        "    mov x0, sp\n"
        "    bl tw_start_early\n"
        "    mov sp, x19\n"
        "    mov x19, #0\n"
        "    b _start\n"
        ".size tw_start, .-tw_start\n");
#else
#error "start.c: tw_start has no entry code for this architecture"
#endif

void tw_start_early(const uintptr_t *sp)
{
    struct tw_start_span spans[TW_START_MAX_SPANS];
    size_t n, pagesz = s_page_size(sp);
    ElfW(Dyn) *dyn, *rela, *relasz;
    uintptr_t bias;

    if (tw_start_load_bias(&__ehdr_start, &bias) != 0)
        return;
    /* 1: the writable pages, before anything writes them. */
    n = tw_start_writable_spans(&__ehdr_start, pagesz, spans, TW_START_MAX_SPANS);
    for (size_t i = 0; i < n; i++)
        (void)s_madvise(spans[i].addr, spans[i].len, MADV_POPULATE_WRITE);
    dyn = s_dynamic(&__ehdr_start, bias);
    if (dyn == NULL)
        return;
    /* 2: the packed relocations, into the pages just populated. */
    (void)tw_start_apply_relr(dyn, bias);
    /* 3: a RELA table musl is about to read (none where DT_RELR holds them). */
    rela = s_dyn_find(dyn, DT_RELA);
    relasz = s_dyn_find(dyn, DT_RELASZ);
    if (rela != NULL && relasz != NULL && relasz->d_un.d_val > 0 && pagesz > 0) {
        uintptr_t from = (bias + (uintptr_t)rela->d_un.d_ptr) & ~((uintptr_t)pagesz - 1);
        uintptr_t to = bias + (uintptr_t)rela->d_un.d_ptr + relasz->d_un.d_val;

        (void)s_madvise(from, (size_t)(to - from), MADV_POPULATE_READ);
    }
}
