/* start.c — tw_start: fault in the relocated pages in one system call, then
 * hand over to musl's _start (see start.h for why).
 *
 * Everything here may run before the binary has relocated itself, so:
 *   - only PC-relative references (hidden symbols, no GOT, no PLT);
 *   - no libc (its code is fine, but errno and TLS are not ready);
 *   - no stack protector (its canary lives in TLS);
 *   - nothing that can fail loudly: the worst case is to skip the hint. */
#include "start.h"

#include <elf.h>

#define TW_START_HIDDEN __attribute__((visibility("hidden")))
#define TW_START_NOSSP  __attribute__((no_stack_protector))
#define TW_START_EARLY  __attribute__((visibility("hidden"), no_stack_protector))

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* <sys/mman.h> of Linux 5.14+ */
#endif

/* Made by the linker: the ELF header, where the image maps it. */
extern const ElfW(Ehdr) __ehdr_start TW_START_HIDDEN;

void tw_start_prefault(const uintptr_t *sp) TW_START_EARLY;

TW_START_EARLY
size_t tw_start_writable_spans(const ElfW(Ehdr) *eh, size_t pagesz,
                               struct tw_start_span *out, size_t max)
{
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff);
    uintptr_t base = 0, mask = (uintptr_t)pagesz - 1;
    size_t n = 0;
    int based = 0;

    if (pagesz == 0 || (pagesz & mask) != 0)
        return 0;
    /* The load bias: the ELF header is the start of the segment at offset 0. */
    for (size_t i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) {
            base = (uintptr_t)eh - (uintptr_t)ph[i].p_vaddr;
            based = 1;
            break;
        }
    }
    if (!based)
        return 0;
    for (size_t i = 0; i < eh->e_phnum && n < max; i++) {
        uintptr_t from, to;

        if (ph[i].p_type != PT_LOAD || !(ph[i].p_flags & PF_W) || ph[i].p_filesz == 0)
            continue;
        from = (base + (uintptr_t)ph[i].p_vaddr) & ~mask;
        to = (base + (uintptr_t)ph[i].p_vaddr + (uintptr_t)ph[i].p_filesz + mask) & ~mask;
        out[n].addr = from;
        out[n].len = (size_t)(to - from);
        n++;
    }
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

/* Entry: the kernel's stack pointer goes to tw_start_prefault and, intact, to
 * musl's _start (rbx is callee-saved; the stack is 16-byte aligned at entry). */
__asm__(".text\n"
        ".globl tw_start\n"
        ".hidden tw_start\n"
        ".type tw_start,@function\n"
        "tw_start:\n"
        "    mov %rsp, %rbx\n"
        "    mov %rsp, %rdi\n"
        "    call tw_start_prefault\n"
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
        "    bl tw_start_prefault\n"
        "    mov sp, x19\n"
        "    mov x19, #0\n"
        "    b _start\n"
        ".size tw_start, .-tw_start\n");
#else
#error "start.c: tw_start has no entry code for this architecture"
#endif

void tw_start_prefault(const uintptr_t *sp)
{
    struct tw_start_span spans[TW_START_MAX_SPANS];
    size_t n, pagesz = s_page_size(sp);

    n = tw_start_writable_spans(&__ehdr_start, pagesz, spans, TW_START_MAX_SPANS);
    for (size_t i = 0; i < n; i++)
        (void)s_madvise(spans[i].addr, spans[i].len, MADV_POPULATE_WRITE);
}
