// Lane-parallel driver for a Verilator-compiled LaneArray ("lanes" top): reads one packed
// input word per step from a file, evaluates, and appends the packed y and dy words to an
// output file. No simulator scheduler per step: the Python side packs and checks in bulk.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include "Vlanes.h"
#include "verilated.h"

template <typename Port>
static void load(Port& port, const uint32_t* words, size_t count) {
    for (size_t i = 0; i < count; ++i) port[i] = words[i];
}

template <typename Port>
static void store(const Port& port, uint32_t* words, size_t count) {
    for (size_t i = 0; i < count; ++i) words[i] = port[i];
}

int main(int argc, char** argv) {
    if (argc != 7) {
        std::fprintf(stderr, "usage: %s IN OUT STEPS X_WORDS Y_WORDS DY_WORDS\n", argv[0]);
        return 2;
    }
    const size_t steps = std::strtoull(argv[3], nullptr, 10);
    const size_t x_words = std::strtoull(argv[4], nullptr, 10);
    const size_t y_words = std::strtoull(argv[5], nullptr, 10);
    const size_t dy_words = std::strtoull(argv[6], nullptr, 10);
    std::vector<uint32_t> in(steps * x_words), out(steps * (y_words + dy_words));
    FILE* source = std::fopen(argv[1], "rb");
    if (!source || std::fread(in.data(), 4, in.size(), source) != in.size()) return 1;
    std::fclose(source);
    VerilatedContext context;
    Vlanes top{&context};
    for (size_t step = 0; step < steps; ++step) {
        load(top.x, &in[step * x_words], x_words);
        top.eval();
        uint32_t* row = &out[step * (y_words + dy_words)];
        store(top.y, row, y_words);
        store(top.dy, row + y_words, dy_words);
    }
    top.final();
    FILE* sink = std::fopen(argv[2], "wb");
    if (!sink || std::fwrite(out.data(), 4, out.size(), sink) != out.size()) return 1;
    std::fclose(sink);
    return 0;
}
