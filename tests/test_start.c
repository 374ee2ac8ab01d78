/* test_start.c — the pages tw_start asks the kernel to populate: synthetic
 * ELF images, then this test program's own image checked against what the
 * dynamic loader and /proc/self/maps say. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "start.h"

#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_PH 8

/* An ELF header followed by its program headers, as a loaded image has them;
 * page-aligned like a real load, so the expected spans are exact. */
struct image {
    ElfW(Ehdr) eh;
    ElfW(Phdr) ph[MAX_PH];
};
static _Alignas(65536) struct image s_img;

static void s_image(struct image *img)
{
    memset(img, 0, sizeof(*img));
    img->eh.e_phoff = offsetof(struct image, ph);
    img->eh.e_phentsize = sizeof(ElfW(Phdr));
}

static void s_add(struct image *img, uint32_t type, uint32_t flags, uintptr_t offset,
                  uintptr_t vaddr, size_t filesz, size_t memsz)
{
    ElfW(Phdr) *ph = &img->ph[img->eh.e_phnum++];

    assert_true(img->eh.e_phnum <= MAX_PH);
    ph->p_type = type;
    ph->p_flags = flags;
    ph->p_offset = offset;
    ph->p_vaddr = vaddr;
    ph->p_filesz = filesz;
    ph->p_memsz = memsz;
}

/* The layout of the shipped static-pie bootstrap (readelf -lW). */
static void s_static_pie(struct image *img)
{
    s_image(img);
    s_add(img, PT_LOAD, PF_R, 0x000000, 0x000000, 0x0501c8, 0x0501c8);
    s_add(img, PT_LOAD, PF_R | PF_X, 0x051000, 0x051000, 0x1cd0e6, 0x1cd0e6);
    s_add(img, PT_LOAD, PF_R, 0x21f000, 0x21f000, 0x051300, 0x051300);
    s_add(img, PT_LOAD, PF_R | PF_W, 0x270b30, 0x271b30, 0x0453c0, 0x048018);
    s_add(img, PT_DYNAMIC, PF_R | PF_W, 0x2afe00, 0x2b0e00, 0x000190, 0x000190);
    s_add(img, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
    s_add(img, PT_GNU_RELRO, PF_R, 0x270b30, 0x271b30, 0x03f4d0, 0x03f4d0);
}

static void test_static_pie_layout(void **state)
{
    struct image *img = &s_img;
    struct tw_start_span spans[TW_START_MAX_SPANS];
    uintptr_t base;

    (void)state;
    s_static_pie(img);
    base = (uintptr_t)&img->eh;
    /* One span: the writable segment's file-backed pages, rounded out to
     * whole pages; PT_DYNAMIC and PT_GNU_STACK are writable but not loads. */
    assert_int_equal(tw_start_writable_spans(&img->eh, 4096, spans, TW_START_MAX_SPANS), 1);
    assert_int_equal(spans[0].addr, (base + 0x271b30) & ~(uintptr_t)4095);
    assert_int_equal(spans[0].addr + spans[0].len,
                     (base + 0x271b30 + 0x453c0 + 4095) & ~(uintptr_t)4095);
    /* 64 KiB pages round further out. */
    assert_int_equal(tw_start_writable_spans(&img->eh, 65536, spans, TW_START_MAX_SPANS), 1);
    assert_int_equal(spans[0].addr, (base + 0x271b30) & ~(uintptr_t)65535);
    assert_int_equal(spans[0].addr + spans[0].len,
                     (base + 0x271b30 + 0x453c0 + 65535) & ~(uintptr_t)65535);
}

static void test_load_bias_from_the_segment_at_offset_zero(void **state)
{
    struct image *img = &s_img;
    struct tw_start_span spans[TW_START_MAX_SPANS];
    uintptr_t base;

    (void)state;
    /* A non-PIE layout: the header is mapped at 0x400000, so the bias is
     * where the header is less 0x400000. */
    s_image(img);
    s_add(img, PT_LOAD, PF_R | PF_W, 0x3000, 0x404000, 0x2000, 0x2000);
    s_add(img, PT_LOAD, PF_R | PF_X, 0x0000, 0x400000, 0x3000, 0x3000);
    base = (uintptr_t)&img->eh - 0x400000;
    assert_int_equal(tw_start_writable_spans(&img->eh, 4096, spans, TW_START_MAX_SPANS), 1);
    assert_int_equal(spans[0].addr, base + 0x404000);
    assert_int_equal(spans[0].len, 0x2000);
}

static void test_nothing_to_do(void **state)
{
    struct image *img = &s_img;
    struct tw_start_span spans[TW_START_MAX_SPANS];

    (void)state;
    /* No segment maps the header: the bias is unknown, so no spans. */
    s_image(img);
    s_add(img, PT_LOAD, PF_R | PF_W, 0x1000, 0x1000, 0x1000, 0x1000);
    assert_int_equal(tw_start_writable_spans(&img->eh, 4096, spans, TW_START_MAX_SPANS), 0);

    /* A writable load that is all zero-fill (.bss only) has nothing to copy. */
    s_image(img);
    s_add(img, PT_LOAD, PF_R, 0, 0, 0x1000, 0x1000);
    s_add(img, PT_LOAD, PF_R | PF_W, 0x1000, 0x2000, 0, 0x5000);
    assert_int_equal(tw_start_writable_spans(&img->eh, 4096, spans, TW_START_MAX_SPANS), 0);

    /* A page size that is not a power of two (or none, AT_PAGESZ missing). */
    s_static_pie(img);
    assert_int_equal(tw_start_writable_spans(&img->eh, 0, spans, TW_START_MAX_SPANS), 0);
    assert_int_equal(tw_start_writable_spans(&img->eh, 3000, spans, TW_START_MAX_SPANS), 0);
}

static void test_at_most_max_spans(void **state)
{
    struct image *img = &s_img;
    struct tw_start_span spans[TW_START_MAX_SPANS];
    uintptr_t base;

    (void)state;
    s_image(img);
    s_add(img, PT_LOAD, PF_R, 0, 0, 0x1000, 0x1000);
    s_add(img, PT_LOAD, PF_R | PF_W, 0x1000, 0x10000, 0x10, 0x10);
    s_add(img, PT_LOAD, PF_W, 0x2000, 0x20000, 0x1001, 0x1001);
    s_add(img, PT_LOAD, PF_R | PF_W, 0x4000, 0x30000, 0x10, 0x10);
    base = (uintptr_t)&img->eh;
    assert_int_equal(tw_start_writable_spans(&img->eh, 4096, spans, 2), 2);
    assert_int_equal(spans[0].addr, base + 0x10000);
    assert_int_equal(spans[0].len, 0x1000);
    assert_int_equal(spans[1].addr, base + 0x20000);
    assert_int_equal(spans[1].len, 0x2000);
    assert_int_equal(tw_start_writable_spans(&img->eh, 4096, spans, TW_START_MAX_SPANS), 3);
    assert_int_equal(spans[2].addr, base + 0x30000);
}

/* --- this program's own image -------------------------------------------- */

extern const ElfW(Ehdr) __ehdr_start __attribute__((visibility("hidden")));

struct own_load {
    uintptr_t from, to; /* the first writable PT_LOAD, file-backed part */
    int found;
};

static int s_find_own(struct dl_phdr_info *info, size_t size, void *user)
{
    struct own_load *own = user;

    (void)size;
    /* The first object dl_iterate_phdr reports is the main program. */
    for (size_t i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W) && ph->p_filesz > 0) {
            own->from = info->dlpi_addr + ph->p_vaddr;
            own->to = own->from + ph->p_filesz;
            own->found = 1;
            break;
        }
    }
    return 1;
}

/* Whether [from, to) lies in private mappings of this program's own file
 * (the loader has made the RELRO part read-only by now; tw_start runs before
 * that, while the whole segment is writable). */
static int s_mapped_from_own_file(uintptr_t from, uintptr_t to)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[1024], exe[512];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    uintptr_t at = from;

    assert_non_null(f);
    assert_true(n > 0);
    exe[n] = '\0';
    while (at < to && fgets(line, sizeof(line), f)) {
        uintptr_t lo, hi;
        char perms[8], path[512];

        line[strcspn(line, "\n")] = '\0';
        if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s %*s %*s %*s %511s", &lo, &hi, perms,
                   path) != 4)
            continue;
        if (lo <= at && at < hi && perms[3] == 'p' && strcmp(path, exe) == 0)
            at = hi;
    }
    fclose(f);
    return at >= to;
}

static void test_own_image(void **state)
{
    struct tw_start_span spans[TW_START_MAX_SPANS];
    struct own_load own = { 0, 0, 0 };
    size_t pagesz = (size_t)sysconf(_SC_PAGESIZE);

    (void)state;
    dl_iterate_phdr(s_find_own, &own);
    assert_true(own.found);
    assert_int_equal(tw_start_writable_spans(&__ehdr_start, pagesz, spans, TW_START_MAX_SPANS), 1);
    assert_int_equal(spans[0].addr % pagesz, 0);
    assert_int_equal(spans[0].len % pagesz, 0);
    assert_true(spans[0].addr <= own.from && own.from < spans[0].addr + pagesz);
    assert_true(own.to <= spans[0].addr + spans[0].len && spans[0].addr + spans[0].len < own.to + pagesz);
    /* So madvise(MADV_POPULATE_WRITE) is asked only of the pages the segment
     * maps from the file, not of the zero-fill memory after it. */
    assert_true(s_mapped_from_own_file(spans[0].addr, spans[0].addr + spans[0].len));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_static_pie_layout),
        cmocka_unit_test(test_load_bias_from_the_segment_at_offset_zero),
        cmocka_unit_test(test_nothing_to_do),
        cmocka_unit_test(test_at_most_max_spans),
        cmocka_unit_test(test_own_image),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
