/* Driver of smelu_hw.verify's C-model check (cmodel_check.py): valid C99 and C++.
 *
 * Compiled together with a unit's header, copied beside it as "cmodel.h", with
 *   -DSMELU_MODULE=NAME     the prefix of the header's functions and macros
 *   -DSMELU_HAS_GRAD=0|1    whether NAME_grad exists
 *   -DSMELU_ENGINE=0|1      whether the engine's NAME_fused_backward and NAME_lane exist
 *   -DSMELU_AXIS=0|1        whether the engine is an AXI4-Stream engine (default 0)
 *   -DSMELU_PAYLOAD=0|1     whether its pack/unpack helpers exist (default SMELU_ENGINE): a stream
 *                           engine's payload ones, or with SMELU_AXIS its TDATA and TUSER ones
 * It reads blocks of native-endian int64 words from stdin, each starting with a tag:
 *   1 CODES   n, then n rows (x, y, dy): NAME_forward(x) == y, NAME_grad(x) == dy and, for an
 *             engine, NAME_lane(forward or gradient mode, x, 0) gives the same
 *   2 TABLE   (engines) n_g, g[n_g], n_classes, then n_classes * n_g expected fused results
 *   3 PAIRS   (engines) n, then n rows (x, class): NAME_fused_backward(x, g[j]) == table[class][j]
 *             for every j, and NAME_lane(backward mode, x, g[0]) gives the same
 *   4 PAYLOAD (stream engines) reserved_result, mode_codes, n, in_words, out_words, then n rows
 *             of (mode, x[L], g[L], in_payload[in_words], result[L], out_payload[out_words]):
 *             NAME_pack_in and NAME_pack_out give the payload words, NAME_unpack_in and
 *             NAME_unpack_out the fields back, and NAME_lane(m, 0, 0) is reserved_result for
 *             each reserved mode code m
 *   5 CLAMP   codes outside the input format give the results of the nearest end
 *   7 AXIS    (AXI4-Stream engines) reserved_result, mode_codes, n, s_words, m_words, u_words,
 *             then n rows of (mode, user, x[L], g[L], s_tdata[s_words], tuser[u_words],
 *             s_tdata_padded[s_words], result[L], m_tdata[m_words]): NAME_pack_s_axis and
 *             NAME_pack_m_axis give the TDATA and TUSER words, NAME_unpack_s_axis the fields
 *             back from s_tdata_padded (the same fields, other padding bits), NAME_unpack_m_axis
 *             from m_tdata, and NAME_lane(m, 0, 0) is reserved_result for each reserved mode m
 *   0 END
 * (blocks 4 and 7 are read by cmodel_fields.h, included below) and prints "mismatch FIELD X G
 * GOT WANT" for the first few mismatches of each field, then "checked CODES FAILING MISMATCHES"
 * and "done". Exit status 0 when all equal, 1 on a mismatch, 2 on malformed input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmodel.h"

#ifndef SMELU_AXIS
#define SMELU_AXIS 0
#endif
#ifndef SMELU_PAYLOAD
#define SMELU_PAYLOAD SMELU_ENGINE
#endif

#define SMELU_CAT2(a, b) a##b
#define SMELU_CAT(a, b) SMELU_CAT2(a, b)
#define FN(suffix) SMELU_CAT(SMELU_MODULE, suffix)

#define CHUNK 16384
enum { SHOWN = 10, FIELDS = 13, MAX_WORDS = 64 };

/* With SMELU_AXIS, the payload fields are those of the TDATA and TUSER helpers. */
static const char *const field_names[FIELDS] = {
    "y", "dy", "fused", "clamp_y", "clamp_dy", "lane_mode", "lane_backward",
#if SMELU_AXIS
    "pack_s_axis", "unpack_s_axis", "pack_m_axis", "unpack_m_axis", "axis_words",
#else
    "pack_in", "unpack_in", "pack_out", "unpack_out", "payload_words",
#endif
    "reserved"};
enum { F_Y, F_DY, F_FUSED, F_CLAMP_Y, F_CLAMP_DY, F_LANE, F_LANE_BACKWARD, F_PACK_IN, F_UNPACK_IN, F_PACK_OUT,
       F_UNPACK_OUT, F_WORDS, F_RESERVED };

static long long shown[FIELDS];
static long long mismatches = 0, checked = 0, failing = 0;

static int report(int field, long long x, long long g, long long got, long long want)
{
    if (shown[field] < SHOWN) {
        printf("mismatch %s %lld %lld %lld %lld\n", field_names[field], x, g, got, want);
        shown[field]++;
    }
    mismatches++;
    return 1;
}

static void read_words(int64_t *words, size_t n)
{
    if (fread(words, sizeof words[0], n, stdin) != n) {
        fprintf(stderr, "cmodel_driver: short input\n");
        exit(2);
    }
}

static int64_t read_word(void)
{
    int64_t word;
    read_words(&word, 1);
    return word;
}

static int64_t rows[CHUNK * 3];

static void codes_block(void)
{
    int64_t left = read_word();
    while (left > 0) {
        const int64_t n = left < CHUNK ? left : CHUNK;
        int64_t i;
        read_words(rows, (size_t)(n * 3));
        for (i = 0; i < n; i++) {
            const int64_t x = rows[3 * i], y = rows[3 * i + 1];
            int bad = 0;
            const int64_t got = FN(_forward)(x);
            if (got != y) {
                bad |= report(F_Y, x, 0, got, y);
            }
#if SMELU_HAS_GRAD
            {
                const int64_t dy = rows[3 * i + 2], got_dy = FN(_grad)(x);
                if (got_dy != dy) {
                    bad |= report(F_DY, x, 0, got_dy, dy);
                }
#if SMELU_ENGINE
                if (FN(_lane)(FN(_MODE_FORWARD), x, 0) != y) {
                    bad |= report(F_LANE, x, FN(_MODE_FORWARD), FN(_lane)(FN(_MODE_FORWARD), x, 0), y);
                }
                if (FN(_lane)(FN(_MODE_GRADIENT), x, 0) != dy) {
                    bad |= report(F_LANE, x, FN(_MODE_GRADIENT), FN(_lane)(FN(_MODE_GRADIENT), x, 0), dy);
                }
#endif
            }
#endif
            failing += bad;
        }
        checked += n;
        left -= n;
    }
}

#if SMELU_ENGINE
static int64_t *read_array(int64_t n)
{
    int64_t *words;
    if (n < 0 || n > (INT64_C(1) << 34)) {
        fprintf(stderr, "cmodel_driver: bad length %lld\n", (long long)n);
        exit(2);
    }
    words = (int64_t *)malloc((size_t)(n > 0 ? n : 1) * sizeof(int64_t));
    if (!words) {
        fprintf(stderr, "cmodel_driver: out of memory\n");
        exit(2);
    }
    read_words(words, (size_t)n);
    return words;
}

static int64_t *table = NULL, *upstream = NULL;
static int64_t table_g = 0, table_classes = 0;

static void table_block(void)
{
    free(table);
    free(upstream);
    table_g = read_word();
    upstream = read_array(table_g);
    table_classes = read_word();
    if (table_g > 0 && table_classes > (INT64_C(1) << 34) / table_g) {
        fprintf(stderr, "cmodel_driver: table too large\n");
        exit(2);
    }
    table = read_array(table_classes * table_g);
}

static void pairs_block(void)
{
    int64_t left = read_word();
    while (left > 0) {
        const int64_t n = left < CHUNK ? left : CHUNK;
        int64_t i, j;
        read_words(rows, (size_t)(n * 2));
        for (i = 0; i < n; i++) {
            const int64_t x = rows[2 * i], klass = rows[2 * i + 1];
            int bad = 0;
            if (klass < 0 || klass >= table_classes) {
                fprintf(stderr, "cmodel_driver: class %lld outside the table\n", (long long)klass);
                exit(2);
            }
            for (j = 0; j < table_g; j++) {
                const int64_t want = table[klass * table_g + j];
                const int64_t got = FN(_fused_backward)(x, upstream[j]);
                if (got != want) {
                    bad |= report(F_FUSED, x, upstream[j], got, want);
                }
            }
            if (table_g > 0 && FN(_lane)(FN(_MODE_BACKWARD), x, upstream[0]) != table[klass * table_g]) {
                bad |= report(F_LANE_BACKWARD, x, upstream[0], FN(_lane)(FN(_MODE_BACKWARD), x, upstream[0]),
                              table[klass * table_g]);
            }
            failing += bad;
            checked += table_g;
        }
        left -= n;
    }
}

#include "cmodel_fields.h"
#endif

static void clamp_block(void)
{
    const int64_t ends[2][2] = {{FN(_X_MIN) - 1, FN(_X_MIN)}, {FN(_X_MAX) + 1, FN(_X_MAX)}};
    int e;
    for (e = 0; e < 2; e++) {
        const int64_t outside = ends[e][0], end = ends[e][1];
        int bad = 0;
        if (FN(_forward)(outside) != FN(_forward)(end)) {
            bad |= report(F_CLAMP_Y, outside, 0, FN(_forward)(outside), FN(_forward)(end));
        }
#if SMELU_HAS_GRAD
        if (FN(_grad)(outside) != FN(_grad)(end)) {
            bad |= report(F_CLAMP_DY, outside, 0, FN(_grad)(outside), FN(_grad)(end));
        }
#endif
        failing += bad;
    }
    checked += 2;
}

int main(void)
{
    for (;;) {
        const int64_t tag = read_word();
        if (tag == 0) {
            break;
        } else if (tag == 1) {
            codes_block();
#if SMELU_ENGINE
        } else if (tag == 2) {
            table_block();
        } else if (tag == 3) {
            pairs_block();
#endif
#if SMELU_PAYLOAD && !SMELU_AXIS
        } else if (tag == 4) {
            payload_block();
#endif
#if SMELU_PAYLOAD && SMELU_AXIS
        } else if (tag == 7) {
            axis_block();
#endif
        } else if (tag == 5) {
            clamp_block();
        } else {
            fprintf(stderr, "cmodel_driver: unknown tag %lld\n", (long long)tag);
            return 2;
        }
    }
#if SMELU_ENGINE
    free(table);
    free(upstream);
#endif
    printf("checked %lld %lld %lld\ndone\n", checked, failing, mismatches);
    return mismatches != 0;
}
