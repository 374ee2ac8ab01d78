/* test_start.c — what tw_start does before musl's start code: the pages it
 * asks the kernel to populate (synthetic ELF images, then this test
 * program's own image checked against what the dynamic loader and
 * /proc/self/maps say), the load bias, and the DT_RELR relocations it
 * applies (a table written by hand from the format, and random ones from the
 * linkers' encoder). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "start.h"

#include <elf.h>
#include <inttypes.h>
#include <limits.h>
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

static void test_load_bias(void **state)
{
    struct image *img = &s_img;
    uintptr_t bias = 1;

    (void)state;
    s_static_pie(img);
    assert_int_equal(tw_start_load_bias(&img->eh, &bias), 0);
    assert_int_equal(bias, (uintptr_t)&img->eh);
    s_image(img);
    s_add(img, PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x1000, 0x1000);
    assert_int_equal(tw_start_load_bias(&img->eh, &bias), 0);
    assert_int_equal(bias, (uintptr_t)&img->eh - 0x400000);
    s_image(img);
    s_add(img, PT_LOAD, PF_R, 0x1000, 0x1000, 0x1000, 0x1000);
    bias = 7;
    assert_int_equal(tw_start_load_bias(&img->eh, &bias), -1);
    assert_int_equal(bias, 7);
}

static void test_relro_span(void **state)
{
    struct image *img = &s_img;
    struct tw_start_span span = { 1, 1 };
    uintptr_t base = (uintptr_t)&img->eh;

    (void)state;
    /* The shipped layout: RELRO ends on a page boundary (ld pads it so). */
    s_static_pie(img);
    assert_int_equal(tw_start_relro_span(&img->eh, 4096, &span), 0);
    assert_int_equal(span.addr, base + 0x271000);
    assert_int_equal(span.addr + span.len, base + 0x2b1000);
    /* An end inside a page: that page holds .data too and stays writable. */
    img->ph[6].p_memsz = 0x3f000;
    assert_int_equal(tw_start_relro_span(&img->eh, 4096, &span), 0);
    assert_int_equal(span.addr + span.len, base + 0x2b0000);
    /* Less than a whole page, no RELRO, no page size: nothing to protect. */
    img->ph[6].p_memsz = 0x100;
    span.addr = 1;
    assert_int_equal(tw_start_relro_span(&img->eh, 4096, &span), -1);
    assert_int_equal(span.addr, 1);
    img->ph[6].p_type = PT_NULL;
    assert_int_equal(tw_start_relro_span(&img->eh, 4096, &span), -1);
    s_static_pie(img);
    assert_int_equal(tw_start_relro_span(&img->eh, 0, &span), -1);
}

/* --- DT_RELR ----------------------------------------------------------------- */

#define WORDS 400
#define BIAS ((uintptr_t)0x5550000)
#define BITS (CHAR_BIT * sizeof(uintptr_t) - 1)

static uintptr_t s_words[WORDS];
static uintptr_t s_table[WORDS];

/* The link-time address of a run-time one, for a load bias of BIAS. */
static uintptr_t s_link(const void *p)
{
    return (uintptr_t)p - BIAS;
}

static void s_fill_words(void)
{
    for (size_t i = 0; i < WORDS; i++)
        s_words[i] = 0x1000 + 16 * i;
}

static void s_dyn(ElfW(Dyn) *dyn, size_t table_bytes, size_t entsize)
{
    dyn[0].d_tag = DT_RELR;
    dyn[0].d_un.d_ptr = s_link(s_table);
    dyn[1].d_tag = DT_RELRSZ;
    dyn[1].d_un.d_val = table_bytes;
    dyn[2].d_tag = DT_RELRENT;
    dyn[2].d_un.d_val = entsize;
    dyn[3].d_tag = DT_NULL;
}

/* A table written out by hand from the format: an address, then bitmaps
 * whose bit k (k >= 1) is the k-th word after the last one relocated, each
 * bitmap moving on by 63 words (on 64-bit; 31 on 32-bit). */
static void test_relr_by_hand(void **state)
{
    ElfW(Dyn) dyn[4];
    size_t n = 0;

    (void)state;
    s_fill_words();
    s_table[n++] = s_link(&s_words[2]);                     /* words[2]; next is 3 */
    s_table[n++] = 1 | (1u << 1) | (1u << 3);              /* words[3], words[5] */
    s_table[n++] = 1 | (1u << 1);                          /* words[3 + BITS] */
    s_table[n++] = s_link(&s_words[300]);                   /* words[300] */
    s_dyn(dyn, n * sizeof(uintptr_t), sizeof(uintptr_t));

    assert_int_equal(tw_start_apply_relr(dyn, BIAS), 5);
    for (size_t i = 0; i < WORDS; i++) {
        int moved = i == 2 || i == 3 || i == 5 || i == 3 + BITS || i == 300;

        assert_int_equal(s_words[i], 0x1000 + 16 * i + (moved ? BIAS : 0));
    }
    /* Applied once: the size is now 0, so a second start code does nothing. */
    assert_int_equal(dyn[1].d_un.d_val, 0);
    assert_int_equal(tw_start_apply_relr(dyn, BIAS), 0);
    assert_int_equal(s_words[2], 0x1000 + 32 + BIAS);
}

/* The encoder linkers use (lld, bfd): an address entry for the first word
 * not covered, then as many bitmaps as reach the next words. */
static size_t s_encode(const size_t *idx, size_t count)
{
    size_t n = 0, i = 0;

    while (i < count) {
        size_t base;

        s_table[n++] = s_link(&s_words[idx[i]]);
        base = idx[i++] + 1;
        for (;;) {
            uintptr_t bitmap = 0;

            while (i < count && idx[i] - base < BITS)
                bitmap |= (uintptr_t)1 << (idx[i++] - base + 1);
            if (bitmap == 0)
                break;
            s_table[n++] = bitmap | 1;
            base += BITS;
        }
    }
    return n;
}

static void test_relr_matches_the_reference_encoding(void **state)
{
    unsigned seed = 12345;

    (void)state;
    for (int round = 0; round < 200; round++) {
        size_t idx[WORDS], count = 0;
        int moved[WORDS];
        ElfW(Dyn) dyn[4];

        /* Sparse, dense and clustered sets of words. */
        for (size_t i = 0; i < WORDS; i++) {
            seed = seed * 1103515245u + 12345u;
            moved[i] = (int)((seed >> 16) % 8) < round % 9;
            if (moved[i])
                idx[count++] = i;
        }
        s_fill_words();
        s_dyn(dyn, s_encode(idx, count) * sizeof(uintptr_t), sizeof(uintptr_t));
        assert_int_equal(tw_start_apply_relr(dyn, BIAS), count);
        for (size_t i = 0; i < WORDS; i++)
            assert_int_equal(s_words[i], 0x1000 + 16 * i + (moved[i] ? BIAS : 0));
    }
}

static void test_relr_absent_or_foreign(void **state)
{
    ElfW(Dyn) dyn[4];

    (void)state;
    s_fill_words();
    s_table[0] = s_link(&s_words[0]);
    /* Entries that are not address-sized: not ours to apply. */
    s_dyn(dyn, sizeof(uintptr_t), 4);
    assert_int_equal(tw_start_apply_relr(dyn, BIAS), 0);
    assert_int_equal(s_words[0], 0x1000);
    /* No DT_RELR at all (the aarch64 link). */
    dyn[0].d_tag = DT_RELA;
    dyn[2].d_un.d_val = sizeof(uintptr_t);
    assert_int_equal(tw_start_apply_relr(dyn, BIAS), 0);
    assert_int_equal(s_words[0], 0x1000);
    /* An empty table. */
    s_dyn(dyn, 0, sizeof(uintptr_t));
    assert_int_equal(tw_start_apply_relr(dyn, BIAS), 0);
    assert_int_equal(s_words[0], 0x1000);
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
 * that, while the whole segment is writable); with `only` 'r', in read-only
 * ones. */
static int s_mapped_from_own_file(uintptr_t from, uintptr_t to, char only)
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
        if (lo <= at && at < hi && perms[3] == 'p' && strcmp(path, exe) == 0 &&
            (only != 'r' || strcmp(perms, "r--p") == 0))
            at = hi;
    }
    fclose(f);
    return at >= to;
}

static void test_own_image(void **state)
{
    struct tw_start_span spans[TW_START_MAX_SPANS], relro;
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
    assert_true(s_mapped_from_own_file(spans[0].addr, spans[0].addr + spans[0].len, 0));
    /* The RELRO span is exactly what glibc's loader made read-only (it
     * computes it the same way), and start.c's constructor leaves it so. */
    assert_int_equal(tw_start_relro_span(&__ehdr_start, pagesz, &relro), 0);
    assert_true(s_mapped_from_own_file(relro.addr, relro.addr + relro.len, 'r'));
    assert_false(s_mapped_from_own_file(relro.addr, relro.addr + relro.len + pagesz, 'r'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_static_pie_layout),
        cmocka_unit_test(test_load_bias_from_the_segment_at_offset_zero),
        cmocka_unit_test(test_nothing_to_do),
        cmocka_unit_test(test_at_most_max_spans),
        cmocka_unit_test(test_load_bias),
        cmocka_unit_test(test_relro_span),
        cmocka_unit_test(test_relr_by_hand),
        cmocka_unit_test(test_relr_matches_the_reference_encoding),
        cmocka_unit_test(test_relr_absent_or_foreign),
        cmocka_unit_test(test_own_image),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
