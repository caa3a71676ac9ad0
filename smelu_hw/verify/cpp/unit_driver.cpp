// Native driver of one generated unit, compiled by Verilator together with the unit's own
// Verilog (top class "Vunit"). It reads int64 input codes from a file, drives one code per
// evaluation (one per clock cycle when pipelined, in_valid high, after one reset cycle) and
// writes three uint32 words per code: the raw y and dy port bits and out_valid.
// Compile-time settings, in unit_config.h beside this file: UNIT_LATENCY (register stages),
// UNIT_HAS_DY, UNIT_X_BITS, and X_RANDOM: the seed of the random values that Verilator's
// --x-initial unique gives every undefined bit. (Not -CFLAGS: those would also change Verilator's runtime objects,
// which every build of the same toolchain shares.)
#include "unit_config.h"
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include "Vunit.h"
#include "verilated.h"

static const uint64_t X_MASK = (UNIT_X_BITS >= 64) ? ~0ull : ((1ull << UNIT_X_BITS) - 1);

static void read_outputs(Vunit& top, uint32_t* row) {
    row[0] = static_cast<uint32_t>(top.y);
#if UNIT_HAS_DY
    row[1] = static_cast<uint32_t>(top.dy);
#else
    row[1] = 0;
#endif
#if UNIT_LATENCY
    row[2] = top.out_valid;
#else
    row[2] = 1;
#endif
}

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s CODES.bin OUT.bin\n", argv[0]);
        return 2;
    }
    FILE* source = std::fopen(argv[1], "rb");
    if (!source) return 1;
    std::fseek(source, 0, SEEK_END);
    const size_t count = static_cast<size_t>(std::ftell(source)) / sizeof(int64_t);
    std::fseek(source, 0, SEEK_SET);
    std::vector<int64_t> codes(count);
    if (count == 0 || std::fread(codes.data(), sizeof(int64_t), count, source) != count) return 1;
    std::fclose(source);
    std::vector<uint32_t> out(3 * count);
    VerilatedContext context;
    context.randReset(2);  // undefined bits random (seeded): an output that depends on one differs
    context.randSeed(X_RANDOM);
    Vunit top{&context};
#if UNIT_LATENCY
    top.rst = 1;
    top.in_valid = 0;
    top.clk = 0;
    top.eval();
    top.clk = 1;
    top.eval();
    top.rst = 0;
    for (size_t step = 0; step < count + UNIT_LATENCY - 1; ++step) {
        const size_t index = step < count ? step : count - 1;
        top.clk = 0;
        top.x = static_cast<uint64_t>(codes[index]) & X_MASK;
        top.in_valid = step < count;
        top.eval();
        top.clk = 1;
        top.eval();
        if (step + 1 >= UNIT_LATENCY) read_outputs(top, &out[3 * (step + 1 - UNIT_LATENCY)]);
    }
#else
    for (size_t i = 0; i < count; ++i) {
        top.x = static_cast<uint64_t>(codes[i]) & X_MASK;
        top.eval();
        read_outputs(top, &out[3 * i]);
    }
#endif
    top.final();
    FILE* sink = std::fopen(argv[2], "wb");
    if (!sink || std::fwrite(out.data(), sizeof(uint32_t), out.size(), sink) != out.size()) return 1;
    std::fclose(sink);
    return 0;
}
