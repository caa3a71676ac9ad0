// Native driver of one generated streaming engine, or of its AXI4-Stream face (AXIS), compiled
// by Verilator together with the engine's Verilog (top class "Vunit"). It streams beats at full
// throughput (input valid and output ready high) and compares every lane of every output beat,
// in order, with a table of the golden model's results that the caller wrote; on AXIS also each
// output beat's TUSER and TLAST with its input beat's (random user bits, random frame ends),
// and random input padding bits, which the engine must ignore. Each lane sees every vector of a mode:
// over the mode's P vectors, beat k gives lane l vector (k + l * (P / LANES)) mod P.
//
//   mode 0 (forward), mode 1 (gradient): vector i is x = xs[i], expected y[i] / dy[i];
//   mode 2 (fused backward): vector p = i * G + j is (bx[i], g[j]), expected
//     table[class[i] * G + j] (the model's result depends on x through its gradient code;
//     class[i] numbers bx[i]'s gradient code);
//   reserved mode codes: RESERVED_BEATS beats of random lanes, every lane reserved_result.
//
// Input file (little-endian): int64 counts and codes, uint32 expected lane bits:
//   N, xs[N], y[N], dy[N], B, bx[B], class[B], G, g[G], C, table[C*G], R, reserved_result.
// Output (stdout): "key value" lines: beats, cycles, the mismatches per mode and of the sideband
// (TUSER, TLAST), then up to MAX_REPORTED "mismatch BEAT MODE LANE X G GOT WANT" and
// "tuser_tlast BEAT GOT_USER WANT_USER GOT_LAST WANT_LAST" and "tkeep BEAT GOT WANT" lines
// (BEAT counts from 0), and "stalled BEATS CYCLES" if no output beat came for CYCLES cycles after
// BEATS had (the run stops there). With KEEP, s_axis_tkeep is random (it is not seen) and m_axis_tkeep
// must be all ones.
// Compile-time settings in unit_config.h (see smelu_hw/verify/wire.py): AXIS, KEEP,
// OUT_KEEP_BITS, CLOCKED,
// UNIT_LATENCY, LANES, IN_BITS, OUT_BITS, USER_BITS, MODE_AT, X_AT, X_STRIDE, X_BITS, G_AT,
// G_STRIDE, G_BITS, LANE_BITS, OUT_STRIDE, RESULT_SIGNED, MODE_FORWARD/GRADIENT/BACKWARD,
// RESERVED_MODE (-1 if none), and X_RANDOM: the seed of the random values that Verilator's
// --x-initial unique gives every undefined bit.
#include "unit_config.h"
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
#include "Vunit.h"
#include "verilated.h"

#if AXIS
#define I_PAYLOAD s_axis_tdata
#define I_VALID s_axis_tvalid
#define I_READY s_axis_tready
#define O_PAYLOAD m_axis_tdata
#define O_VALID m_axis_tvalid
#define O_READY m_axis_tready
#define CLOCK aclk
#else
// Verilator spells the double underscore of the stream ports "___05F".
#define I_PAYLOAD i___05Fpayload
#define I_VALID i___05Fvalid
#define I_READY i___05Fready
#define O_PAYLOAD o___05Fpayload
#define O_VALID o___05Fvalid
#define O_READY o___05Fready
#define CLOCK clk
#endif

static const int MAX_REPORTED = 10;
// Cycles (beyond the latency) without an output beat after which the engine is stalled.
static const int64_t STALL_CYCLES = 1000;
static const int IN_WORDS = (IN_BITS + 31) / 32;
static const int OUT_WORDS = (OUT_BITS + 31) / 32;

struct Table {
    std::vector<int64_t> xs, bx, g;
    std::vector<uint32_t> y, dy, table, klass;
    uint32_t reserved_result = 0;
    int64_t reserved_beats = 0;
};

static bool read_count(FILE* f, int64_t* n) { return std::fread(n, sizeof(int64_t), 1, f) == 1 && *n >= 0; }

template <typename T>
static bool read_array(FILE* f, std::vector<T>& v, int64_t n) {
    v.resize(static_cast<size_t>(n));
    return n == 0 || std::fread(v.data(), sizeof(T), v.size(), f) == v.size();
}

static bool load(const char* path, Table& t) {
    FILE* f = std::fopen(path, "rb");
    if (!f) return false;
    int64_t n, b, g, c, r;
    bool ok = read_count(f, &n) && read_array(f, t.xs, n) && read_array(f, t.y, n) && read_array(f, t.dy, n) &&
              read_count(f, &b) && read_array(f, t.bx, b) && read_array(f, t.klass, b) && read_count(f, &g) &&
              read_array(f, t.g, g) && read_count(f, &c) && read_array(f, t.table, c * g) &&
              read_count(f, &r) && std::fread(&t.reserved_result, sizeof(uint32_t), 1, f) == 1;
    t.reserved_beats = r;
    std::fclose(f);
    return ok;
}

static void put_bits(uint32_t* words, int at, int width, uint64_t value) {
    for (int bit = 0; bit < width; ++bit) {
        const uint32_t mask = 1u << ((at + bit) % 32);
        if ((value >> bit) & 1) {
            words[(at + bit) / 32] |= mask;
        } else {
            words[(at + bit) / 32] &= ~mask;
        }
    }
}

static uint32_t get_bits(const uint32_t* words, int at, int width) {
    uint32_t value = 0;
    for (int bit = 0; bit < width; ++bit) value |= ((words[(at + bit) / 32] >> ((at + bit) % 32)) & 1u) << bit;
    return value;
}

static void set_payload(Vunit& top, const uint32_t* words) {
#if IN_BITS > 64
    for (int w = 0; w < IN_WORDS; ++w) top.I_PAYLOAD[w] = words[w];
#elif IN_BITS > 32
    top.I_PAYLOAD = (static_cast<uint64_t>(words[1]) << 32) | words[0];
#else
    top.I_PAYLOAD = words[0];
#endif
}

static void get_payload(Vunit& top, uint32_t* words) {
#if OUT_BITS > 64
    for (int w = 0; w < OUT_WORDS; ++w) words[w] = top.O_PAYLOAD[w];
#elif OUT_BITS > 32
    const uint64_t value = top.O_PAYLOAD;
    words[0] = static_cast<uint32_t>(value);
    words[1] = static_cast<uint32_t>(value >> 32);
#else
    words[0] = static_cast<uint32_t>(top.O_PAYLOAD);
#endif
}

// One beat of the stream: its mode code, per lane the x and g codes and expected bits, and on
// AXIS its TUSER (mode and random user bits), TLAST and random padding.
struct Beat {
    int mode;
    int64_t x[LANES], g[LANES];
    uint32_t want[LANES];
    uint32_t user, last;
    uint64_t padding;
};

struct Stream {
    const Table& t;
    int64_t n, pairs, reserved;
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    explicit Stream(const Table& table)
        : t(table),
          n(static_cast<int64_t>(table.xs.size())),
          pairs(static_cast<int64_t>(table.bx.size() * table.g.size())),
          reserved(RESERVED_MODE >= 0 ? table.reserved_beats : 0) {}
    int64_t total() const { return 2 * n + pairs + reserved; }
    uint64_t next_random() {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        return rng;
    }
    // Beats are made in order, so the reserved beats' random lanes are drawn once each.
    Beat make(int64_t k) {
        Beat beat;
        if (k < 2 * n) {
            const bool forward = k < n;
            const int64_t step = forward ? k : k - n;
            beat.mode = forward ? MODE_FORWARD : MODE_GRADIENT;
            for (int lane = 0; lane < LANES; ++lane) {
                const int64_t i = (step + lane * (n / LANES)) % n;
                beat.x[lane] = t.xs[i];
                beat.g[lane] = 0;
                beat.want[lane] = forward ? t.y[i] : t.dy[i];
            }
        } else if (k < 2 * n + pairs) {
            const int64_t step = k - 2 * n, count = static_cast<int64_t>(t.g.size());
            beat.mode = MODE_BACKWARD;
            for (int lane = 0; lane < LANES; ++lane) {
                const int64_t p = (step + lane * (pairs / LANES)) % pairs, i = p / count, j = p % count;
                beat.x[lane] = t.bx[i];
                beat.g[lane] = t.g[j];
                beat.want[lane] = t.table[static_cast<size_t>(t.klass[i]) * count + j];
            }
        } else {
            beat.mode = RESERVED_MODE;
            for (int lane = 0; lane < LANES; ++lane) {
                beat.x[lane] = static_cast<int64_t>(next_random());
                beat.g[lane] = static_cast<int64_t>(next_random());
                beat.want[lane] = t.reserved_result;
            }
        }
#if AXIS
        const uint64_t side = next_random();
        const uint32_t user_mask = USER_BITS >= 32 ? ~0u : ((1u << USER_BITS) - 1);
        beat.user = (static_cast<uint32_t>(beat.mode) | (static_cast<uint32_t>(side >> 8) << 2)) & user_mask;
        beat.last = (side & 7) == 0;  // frames of random length, 8 beats on average
        beat.padding = next_random();
#else
        beat.user = beat.last = 0;
        beat.padding = 0;
#endif
        return beat;
    }
};

// The beat's input data: on AXIS, random bits everywhere (the padding) under the lane fields.
static void pack(const Beat& beat, uint32_t* words) {
    uint64_t fill = beat.padding;
    for (int w = 0; w < IN_WORDS; ++w) {
        words[w] = AXIS ? static_cast<uint32_t>(fill) : 0u;
        fill = fill * 6364136223846793005ull + 1442695040888963407ull;
    }
#if !AXIS
    put_bits(words, MODE_AT, 2, static_cast<uint64_t>(beat.mode));
#endif
    for (int lane = 0; lane < LANES; ++lane) {
        put_bits(words, X_AT + lane * X_STRIDE, X_BITS, static_cast<uint64_t>(beat.x[lane]));
        put_bits(words, G_AT + lane * G_STRIDE, G_BITS, static_cast<uint64_t>(beat.g[lane]));
    }
}

// A result lane as it must appear in its OUT_STRIDE bits: its LANE_BITS, extended.
static uint32_t extended(uint32_t value) {
    const uint32_t lane_mask = LANE_BITS >= 32 ? ~0u : ((1u << LANE_BITS) - 1);
    const uint32_t stride_mask = OUT_STRIDE >= 32 ? ~0u : ((1u << OUT_STRIDE) - 1);
    value &= lane_mask;
    if (RESULT_SIGNED && LANE_BITS < 32 && ((value >> (LANE_BITS - 1)) & 1)) value |= ~lane_mask;
    return value & stride_mask;
}

static int mode_index(int mode) {
    return mode == MODE_FORWARD ? 0 : mode == MODE_GRADIENT ? 1 : mode == MODE_BACKWARD ? 2 : 3;
}

// One clock edge's worth of the clock's low phase (inputs settle), or nothing unclocked.
static void low_phase(Vunit& top) {
#if CLOCKED
    top.CLOCK = 0;
#endif
    top.eval();
}

static void rising_edge(Vunit& top) {
#if CLOCKED
    top.CLOCK = 1;
    top.eval();
#else
    (void)top;
#endif
}

// One clock edge in reset: aresetn low on AXIS, rst high otherwise.
#if AXIS
#define RESET_PORT aresetn
#define RESET_ACTIVE 0
#else
#define RESET_PORT rst
#define RESET_ACTIVE 1
#endif

static void reset(Vunit& top) {
#if CLOCKED
    top.RESET_PORT = RESET_ACTIVE;
    top.I_VALID = 0;
    low_phase(top);
    rising_edge(top);
    top.RESET_PORT = !RESET_ACTIVE;
#else
    (void)top;
#endif
}

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s TABLE.bin\n", argv[0]);
        return 2;
    }
    Table table;
    if (!load(argv[1], table)) {
        std::fprintf(stderr, "cannot read %s\n", argv[1]);
        return 2;
    }
    VerilatedContext context;
    context.randReset(2);  // --x-initial unique: every undefined bit random, seeded
    context.randSeed(X_RANDOM);
    Vunit top{&context};
    Stream source(table), expected(table);  // expected regenerates the beats in order
    const int64_t total = source.total();
    int64_t sent = 0, received = 0, cycles = 0, idle = 0, mismatches[4] = {0, 0, 0, 0}, sideband = 0;
    int reported = 0;
    uint32_t in_words[IN_WORDS], out_words[OUT_WORDS];
    Beat presented = total ? source.make(0) : Beat{};
    top.O_READY = 1;
    reset(top);
    while (received < total) {
        if (++idle > STALL_CYCLES + UNIT_LATENCY) {  // no output beat for that long: a hung engine
            std::printf("stalled %lld %lld\n", static_cast<long long>(received),
                        static_cast<long long>(STALL_CYCLES + UNIT_LATENCY));
            break;
        }
        pack(presented, in_words);
        set_payload(top, in_words);
        top.I_VALID = sent < total;
#if AXIS
        top.s_axis_tuser = presented.user;
        top.s_axis_tlast = presented.last;
#endif
#if KEEP
        top.s_axis_tkeep = presented.padding >> 3;  // random: TKEEP is not seen
#endif
        low_phase(top);
        if (top.O_VALID) {
            Beat want = expected.make(received);
            get_payload(top, out_words);
            for (int lane = 0; lane < LANES; ++lane) {
                const uint32_t got = get_bits(out_words, lane * OUT_STRIDE, OUT_STRIDE);
                if (got != extended(want.want[lane])) {
                    ++mismatches[mode_index(want.mode)];
                    if (reported++ < MAX_REPORTED) {
                        std::printf("mismatch %lld %d %d %lld %lld %u %u\n", static_cast<long long>(received),
                                    want.mode, lane, static_cast<long long>(want.x[lane]),
                                    static_cast<long long>(want.g[lane]), got, extended(want.want[lane]));
                    }
                }
            }
#if AXIS
            const uint32_t user = top.m_axis_tuser, last = top.m_axis_tlast;
            if (user != want.user || last != want.last) {
                ++sideband;
                if (reported++ < MAX_REPORTED) {
                    std::printf("tuser_tlast %lld %u %u %u %u\n", static_cast<long long>(received), user, want.user,
                                last, want.last);
                }
            }
#endif
#if KEEP
            const uint64_t keep = top.m_axis_tkeep, all = OUT_KEEP_BITS >= 64 ? ~0ull : (1ull << OUT_KEEP_BITS) - 1;
            if (keep != all) {
                ++sideband;
                if (reported++ < MAX_REPORTED) {
                    std::printf("tkeep %lld %llu %llu\n", static_cast<long long>(received),
                                static_cast<unsigned long long>(keep), static_cast<unsigned long long>(all));
                }
            }
#endif
            ++received;
            idle = 0;
        }
        if (sent < total && top.I_READY) {
            ++sent;
            if (sent < total) presented = source.make(sent);
        }
        if (sent || top.I_READY) ++cycles;  // from the first cycle the engine takes a beat
        rising_edge(top);
    }
    top.final();
    std::printf("beats %lld\ncycles %lld\n", static_cast<long long>(received), static_cast<long long>(cycles));
    std::printf("forward %lld\ngradient %lld\nbackward %lld\nreserved %lld\nsideband %lld\n",
                static_cast<long long>(mismatches[0]), static_cast<long long>(mismatches[1]),
                static_cast<long long>(mismatches[2]), static_cast<long long>(mismatches[3]),
                static_cast<long long>(sideband));
    return 0;
}
