/* The pack/unpack round trips of smelu_hw.verify's C-model driver (cmodel_driver.c includes
 * this file after its reading and reporting helpers, inside #if SMELU_ENGINE): PAYLOAD blocks
 * for a stream engine's payload helpers, AXIS blocks for an AXI4-Stream engine's TDATA and
 * TUSER helpers (the protocol is in cmodel_driver.c). Valid C99 and C++. */
#if SMELU_PAYLOAD
/* Word w of `got` against `want`; a mismatch names word `first + w`. */
static int compare_words(int field, int64_t vector, int64_t first, const uint64_t *got, const int64_t *want,
                         int64_t n)
{
    int64_t w;
    int bad = 0;
    for (w = 0; w < n; w++) {
        if (got[w] != (uint64_t)want[w]) {
            bad |= report(field, vector, first + w, (long long)got[w], want[w]);
        }
    }
    return bad;
}

/* The words of a block's rows, read into `words` (at most MAX_WORDS). */
static void to_words(uint64_t *words, const int64_t *row, int64_t n)
{
    int64_t i;
    for (i = 0; i < n; i++) {
        words[i] = (uint64_t)row[i];
    }
}

/* Lane values against the expected ones; a mismatch names lane `first + i`. */
static int compare_lanes(int field, int64_t vector, int64_t first, const int64_t *got, const int64_t *want)
{
    int64_t i;
    int bad = 0;
    for (i = 0; i < FN(_LANES); i++) {
        if (got[i] != want[i]) {
            bad |= report(field, vector, first + i, got[i], want[i]);
        }
    }
    return bad;
}

/* NAME_lane(m, 0, 0) is `reserved` for every reserved mode code m below mode_codes. */
static void check_reserved(int64_t reserved, int64_t mode_codes)
{
    int64_t m;
    for (m = 0; m < mode_codes; m++) {
        if (m != FN(_MODE_FORWARD) && m != FN(_MODE_GRADIENT) && m != FN(_MODE_BACKWARD)) {
            const int64_t got = FN(_lane)(m, 0, 0);
            if (got != reserved || FN(_RESERVED_RESULT) != reserved) {
                report(F_RESERVED, 0, m, got, reserved);
                failing++;
            }
        }
    }
}

static int64_t larger(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* n rows of `row` words each, of a block whose word arrays have at most `words` words. */
static int64_t *read_rows(int64_t n, int64_t row, int64_t words)
{
    if (words > MAX_WORDS || n < 0 || n > (INT64_C(1) << 20)) {
        fprintf(stderr, "cmodel_driver: bad payload block\n");
        exit(2);
    }
    return read_array(n * row);
}
#endif

#if SMELU_PAYLOAD && !SMELU_AXIS

static void payload_block(void)
{
    const int64_t reserved = read_word(), mode_codes = read_word(), n = read_word();
    const int64_t in_words = read_word(), out_words = read_word();
    const int64_t lanes = FN(_LANES);
    const int64_t row = 1 + 3 * lanes + in_words + out_words;
    int64_t *data, v;
    if (in_words != FN(_IN_WORDS) || out_words != FN(_OUT_WORDS)) {
        report(F_WORDS, 0, 0, FN(_IN_WORDS) * 1000 + FN(_OUT_WORDS), in_words * 1000 + out_words);
        failing++;
        return;
    }
    data = read_rows(n, row, larger(in_words, out_words));
    check_reserved(reserved, mode_codes);
    for (v = 0; v < n; v++) {
        const int64_t *at = data + v * row;
        const int64_t mode = at[0], *x = at + 1, *g = at + 1 + lanes, *in = at + 1 + 2 * lanes;
        const int64_t *result = in + in_words, *out = result + lanes;
        uint64_t packed[MAX_WORDS], packed_out[MAX_WORDS], words[MAX_WORDS];
        int64_t got_mode, got_x[FN(_LANES)], got_g[FN(_LANES)], got_result[FN(_LANES)];
        int bad = 0;
        memset(packed, 0xa5, sizeof packed); /* pack_in must clear every word itself */
        FN(_pack_in)(packed, mode, x, g);
        bad |= compare_words(F_PACK_IN, v, 0, packed, in, in_words);
        to_words(words, in, in_words);
        FN(_unpack_in)(words, &got_mode, got_x, got_g);
        if (got_mode != mode) {
            bad |= report(F_UNPACK_IN, v, -1, got_mode, mode);
        }
        bad |= compare_lanes(F_UNPACK_IN, v, 0, got_x, x) | compare_lanes(F_UNPACK_IN, v, lanes, got_g, g);
        memset(packed_out, 0x5a, sizeof packed_out);
        FN(_pack_out)(packed_out, result);
        bad |= compare_words(F_PACK_OUT, v, 0, packed_out, out, out_words);
        to_words(words, out, out_words);
        FN(_unpack_out)(words, got_result);
        bad |= compare_lanes(F_UNPACK_OUT, v, 0, got_result, result);
        failing += bad;
    }
    checked += n;
    free(data);
}
#endif

#if SMELU_PAYLOAD && SMELU_AXIS
/* The mode and user bits an unpack gave against the expected ones (named -1 and -2). */
static int compare_tuser(int field, int64_t vector, int64_t got_mode, uint64_t got_user, int64_t mode,
                         uint64_t user)
{
    int bad = 0;
    if (got_mode != mode) {
        bad |= report(field, vector, -1, got_mode, mode);
    }
    if (got_user != user) {
        bad |= report(field, vector, -2, (long long)got_user, (long long)user);
    }
    return bad;
}

static void axis_block(void)
{
    const int64_t reserved = read_word(), mode_codes = read_word(), n = read_word();
    const int64_t s_words = read_word(), m_words = read_word(), u_words = read_word();
    const int64_t lanes = FN(_LANES);
    const int64_t row = 2 + 3 * lanes + 2 * s_words + u_words + m_words;
    int64_t *data, v;
    if (s_words != FN(_S_TDATA_WORDS) || m_words != FN(_M_TDATA_WORDS) || u_words != FN(_TUSER_WORDS)) {
        report(F_WORDS, 0, 0, (FN(_S_TDATA_WORDS) * 1000 + FN(_M_TDATA_WORDS)) * 1000 + FN(_TUSER_WORDS),
               (s_words * 1000 + m_words) * 1000 + u_words);
        failing++;
        return;
    }
    data = read_rows(n, row, larger(larger(s_words, m_words), u_words));
    check_reserved(reserved, mode_codes);
    for (v = 0; v < n; v++) {
        const int64_t *at = data + v * row;
        const int64_t mode = at[0], *x = at + 2, *g = x + lanes, *s_tdata = g + lanes;
        const int64_t *tuser = s_tdata + s_words, *padded = tuser + u_words, *result = padded + s_words;
        const int64_t *m_tdata = result + lanes;
        const uint64_t user = (uint64_t)at[1];
        uint64_t got_tdata[MAX_WORDS], got_tuser[MAX_WORDS], words[MAX_WORDS], user_words[MAX_WORDS];
        int64_t got_mode, got_x[FN(_LANES)], got_g[FN(_LANES)], got_result[FN(_LANES)];
        uint64_t got_user;
        int bad = 0;
        memset(got_tdata, 0xa5, sizeof got_tdata); /* the packers must clear every word themselves */
        memset(got_tuser, 0x5a, sizeof got_tuser);
        FN(_pack_s_axis)(got_tdata, got_tuser, mode, user, x, g);
        bad |= compare_words(F_PACK_IN, v, 0, got_tdata, s_tdata, s_words);
        bad |= compare_words(F_PACK_IN, v, s_words, got_tuser, tuser, u_words);
        to_words(words, padded, s_words);
        to_words(user_words, tuser, u_words);
        FN(_unpack_s_axis)(words, user_words, &got_mode, &got_user, got_x, got_g);
        bad |= compare_tuser(F_UNPACK_IN, v, got_mode, got_user, mode, user);
        bad |= compare_lanes(F_UNPACK_IN, v, 0, got_x, x) | compare_lanes(F_UNPACK_IN, v, lanes, got_g, g);
        memset(got_tdata, 0x5a, sizeof got_tdata);
        memset(got_tuser, 0xa5, sizeof got_tuser);
        FN(_pack_m_axis)(got_tdata, got_tuser, mode, user, result);
        bad |= compare_words(F_PACK_OUT, v, 0, got_tdata, m_tdata, m_words);
        bad |= compare_words(F_PACK_OUT, v, m_words, got_tuser, tuser, u_words);
        to_words(words, m_tdata, m_words);
        FN(_unpack_m_axis)(words, user_words, &got_mode, &got_user, got_result);
        bad |= compare_tuser(F_UNPACK_OUT, v, got_mode, got_user, mode, user);
        bad |= compare_lanes(F_UNPACK_OUT, v, 0, got_result, result);
        failing += bad;
    }
    checked += n;
    free(data);
}
#endif
