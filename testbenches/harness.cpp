// Verilator co-simulation harness for the softmax unit (any configuration).
//
// Built by softmax-hw with `verilator --cc --exe --build --prefix Vunit --top-module <unit>`
// and -DLANES=P -DW_IN=<input bits> -DW_OUT=<output bits>, run as a child process. Binary
// records over pipes (little endian), one per element whatever the lanes:
//   stdin : 8 bytes per input element   u32 data (two's complement, low bits), u32 flags
//           (bit 0: last; bit 2: masked, driven on s_axis_tuser; sparse units: bit 1: write
//           theta = bits 8..31 in the cycle of this element's handshake: on a row's first
//           element it applies to that row, on a later one only to the rows after it)
//   stdout: 16 bytes per output element u32 data, u32 flags (bit 0: last; bits 2..6: its
//           lane; sparse units: bit 1: its lane's tuser bit (keep), bits 8..30: the beat's kept
//           count), u64 cycle of
//           the handshake
// With P lanes the harness packs the records into beats of P elements, a row's last beat
// holding what is left (lanes 0..n-1, tkeep marks them), and writes one record per output
// lane whose m_axis_tkeep bit is set; `last` marks the highest such lane of a tlast beat.
//   then one trailer record             u32 0, u32 0x80000000, u64 total cycles
// Sparse units (ports m_axis_tuser, m_axis_kept, theta, theta_we) are built with -DSPARSE_UNIT.
// The harness never interprets data: the Rust side compares every bit with the golden model.
//
// Options:
//   --stall P     input valid and output ready are each dropped with probability P per cycle
//   --seed S      seed of the stall generator (xorshift64*)
//   --idle N      after stdin ends, stop when no output handshake happened for N cycles
//   --vcd FILE    dump every signal to FILE
//   --raw N       no I/O: run N cycles with a constant stream (valid, ready high), print the
//                 eval rate (cycles per second) and exit; measures Verilator's own speed
#include "Vunit.h"
#include "verilated.h"
#include "verilated_vcd_c.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#ifndef LANES
#define LANES 1
#endif
#if !defined(W_IN) || !defined(W_OUT)
#error "build with -DW_IN=<input bits> -DW_OUT=<output bits>"
#endif

namespace {

// Lanes of a port: Verilator holds up to 64 bits in an integer, wider ports in VlWide words.
template <typename T>
void put_bits(T& port, unsigned lo, unsigned w, uint64_t v) {
    const uint64_t m = ((1ULL << w) - 1) << lo;
    port = (T)(((uint64_t)port & ~m) | ((v << lo) & m));
}
template <std::size_t N>
void put_bits(VlWide<N>& port, unsigned lo, unsigned w, uint64_t v) {
    for (unsigned b = 0; b < w; b++) {
        const unsigned i = lo + b;
        port[i / 32] = (port[i / 32] & ~(1u << (i % 32))) | ((uint32_t)((v >> b) & 1) << (i % 32));
    }
}
template <typename T>
uint32_t get_bits(const T& port, unsigned lo, unsigned w) {
    return (uint32_t)(((uint64_t)port >> lo) & ((1ULL << w) - 1));
}
template <std::size_t N>
uint32_t get_bits(const VlWide<N>& port, unsigned lo, unsigned w) {
    uint32_t v = 0;
    for (unsigned b = 0; b < w; b++) v |= ((port[(lo + b) / 32] >> ((lo + b) % 32)) & 1u) << b;
    return v;
}
template <typename T>
void zero(T& port) {
    port = 0;
}
template <std::size_t N>
void zero(VlWide<N>& port) {
    for (std::size_t i = 0; i < N; i++) port[i] = 0;
}

struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL) {
        if (s == 0) s = 1;
    }
    double uniform() {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return (double)((s * 0x2545F4914F6CDD1DULL) >> 11) * (1.0 / 9007199254740992.0);
    }
};

struct InRecord {
    uint32_t data;
    uint32_t flags;
};
struct OutRecord {
    uint32_t data;
    uint32_t flags;
    uint64_t cycle;
};

class Sim {
  public:
    Sim(VerilatedContext* ctx, const char* vcd) : top(new Vunit{ctx}) {
        if (vcd) {
            Verilated::traceEverOn(true);
            trace.reset(new VerilatedVcdC);
            top->trace(trace.get(), 99);
            trace->open(vcd);
        }
        top->aclk = 0;
        top->aresetn = 0;
        top->s_axis_tvalid = 0;
        top->s_axis_tlast = 0;
        zero(top->s_axis_tdata);
        top->s_axis_tuser = 0;
#if LANES > 1
        top->s_axis_tkeep = 0;
#endif
        top->m_axis_tready = 0;
#ifdef SPARSE_UNIT
        top->theta_we = 0;
        top->theta = 0;
#endif
        top->eval();
        for (int i = 0; i < 4; i++) tick();
        top->aresetn = 1;
        cycle = 0;
    }
    ~Sim() {
        top->final();
        if (trace) trace->close();
    }
    // One clock cycle: inputs are already set; rising edge, then falling edge.
    void tick() {
        top->aclk = 1;
        top->eval();
        if (trace) trace->dump(time++);
        top->aclk = 0;
        top->eval();
        if (trace) trace->dump(time++);
        cycle++;
    }
    std::unique_ptr<Vunit> top;
    std::unique_ptr<VerilatedVcdC> trace;
    uint64_t cycle = 0;
    uint64_t time = 0;
};

int run_raw(VerilatedContext* ctx, uint64_t cycles, uint32_t row_len) {
    Sim sim(ctx, nullptr);
    Vunit* t = sim.top.get();
    uint32_t k = 0, x = 0;
    auto t0 = std::chrono::steady_clock::now();
    const uint32_t beats = (row_len + LANES - 1) / LANES;
#if LANES > 1
    t->s_axis_tkeep = (uint32_t)((1ULL << LANES) - 1);
#endif
    for (uint64_t c = 0; c < cycles; c++) {
        t->s_axis_tvalid = 1;
        for (unsigned j = 0; j < LANES; j++) put_bits(t->s_axis_tdata, j * W_IN, W_IN, ((x >> 16) + j) & 0x7);  // fits every input width (>= 4 bits)
        t->s_axis_tlast = (k + 1 == beats);
        t->m_axis_tready = 1;
        t->eval();
        if (t->s_axis_tready) {
            x = x * 1103515245u + 12345u;
            k = (k + 1 == beats) ? 0 : k + 1;
        }
        sim.tick();
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    printf("%.1f\n", cycles / s);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    double stall = 0.0;
    uint64_t seed = 1, idle = 100000, raw = 0;
    uint32_t raw_len = 64;
    const char* vcd = nullptr;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        auto next = [&]() -> const char* {
            if (i + 1 >= argc) {
                fprintf(stderr, "harness: %s needs a value\n", a.c_str());
                exit(2);
            }
            return argv[++i];
        };
        if (a == "--stall") stall = atof(next());
        else if (a == "--seed") seed = strtoull(next(), nullptr, 10);
        else if (a == "--idle") idle = strtoull(next(), nullptr, 10);
        else if (a == "--vcd") vcd = next();
        else if (a == "--raw") raw = strtoull(next(), nullptr, 10);
        else if (a == "--raw-len") raw_len = (uint32_t)strtoul(next(), nullptr, 10);
        else {
            fprintf(stderr, "harness: unknown option %s\n", a.c_str());
            return 2;
        }
    }
    auto ctx = std::make_unique<VerilatedContext>();
    if (raw) return run_raw(ctx.get(), raw, raw_len);

    Sim sim(ctx.get(), vcd);
    Vunit* t = sim.top.get();
    Rng rng(seed);

    static InRecord inbuf[8192];
    static OutRecord outbuf[8192];
    size_t in_n = 0, in_pos = 0, out_n = 0;
    bool eof = false;
    uint64_t quiet = 0;

    for (;;) {
        // the beat offered this cycle: up to LANES records, ended early by a row's last
        // element (the records stay until the beat is accepted)
        size_t n = 0;
        for (;;) {
            while (n < LANES && in_pos + n < in_n && !(n > 0 && (inbuf[in_pos + n - 1].flags & 1))) n++;
            if (n == LANES || (n > 0 && (inbuf[in_pos + n - 1].flags & 1)) || eof) break;
            // the buffer ends inside the beat: keep its records, read more (outputs first, so
            // the reader never waits on a blocked harness)
            if (out_n) {
                fwrite(outbuf, sizeof(OutRecord), out_n, stdout);
                out_n = 0;
                fflush(stdout);
            }
            memmove(inbuf, inbuf + in_pos, (in_n - in_pos) * sizeof(InRecord));
            in_n -= in_pos;
            in_pos = 0;
            const size_t got = fread(inbuf + in_n, sizeof(InRecord), 8192 - in_n, stdin);
            if (got == 0) eof = true;
            in_n += got;
        }
        bool have = n > 0;
        bool offer = have && (stall == 0.0 || rng.uniform() >= stall);
        bool ready = stall == 0.0 || rng.uniform() >= stall;
        t->s_axis_tvalid = offer;
        zero(t->s_axis_tdata);
        t->s_axis_tuser = 0;
        for (size_t j = 0; j < n; j++) {
            put_bits(t->s_axis_tdata, (unsigned)j * W_IN, W_IN, inbuf[in_pos + j].data);
            put_bits(t->s_axis_tuser, (unsigned)j, 1, (inbuf[in_pos + j].flags >> 2) & 1);
        }
        t->s_axis_tlast = have ? (inbuf[in_pos + n - 1].flags & 1) : 0;
#if LANES > 1
        t->s_axis_tkeep = (uint32_t)((1ULL << n) - 1);
#endif
        t->m_axis_tready = ready;
#ifdef SPARSE_UNIT
        t->theta_we = 0;
#endif
        t->eval();
        // handshakes are sampled before the rising edge
#ifdef SPARSE_UNIT
        // a theta write is pulsed in the cycle of its element's handshake only (s_axis_tready
        // does not depend on theta_we)
        // (with lanes: the write of any element of the beat; the model puts at most one there)
        int wj = -1;
        for (size_t j = 0; j < n; j++)
            if (inbuf[in_pos + j].flags & 2) wj = (int)j;
        if (offer && t->s_axis_tready && wj >= 0) {
            t->theta_we = 1;
            t->theta = inbuf[in_pos + wj].flags >> 8;
            t->eval();
        }
#endif
        if (offer && t->s_axis_tready) in_pos += n;
        if (t->m_axis_tvalid && ready) {
#if LANES > 1
            const uint32_t keep = (uint32_t)t->m_axis_tkeep;
#else
            const uint32_t keep = 1;
#endif
            int top_lane = -1;
            for (int j = 0; j < LANES; j++)
                if ((keep >> j) & 1) top_lane = j;
            for (int j = 0; j < LANES; j++) {
                if (!((keep >> j) & 1)) continue;
                uint32_t flags = (t->m_axis_tlast && j == top_lane) ? 1u : 0u;
                flags |= (uint32_t)j << 2;
#ifdef SPARSE_UNIT
                flags |= ((((uint32_t)t->m_axis_tuser >> j) & 1u) << 1) | ((uint32_t)t->m_axis_kept << 8);
#endif
                outbuf[out_n++] = OutRecord{get_bits(t->m_axis_tdata, (unsigned)j * W_OUT, W_OUT), flags, sim.cycle};
            }
            if (out_n + LANES > 8192) {
                fwrite(outbuf, sizeof(OutRecord), out_n, stdout);
                out_n = 0;
            }
            quiet = 0;
        } else if (eof && in_pos == in_n) {
            if (++quiet > idle) break;
        }
        sim.tick();
        // flush while waiting for input so the reader never starves
        if (in_pos == in_n && !eof && out_n) {
            fwrite(outbuf, sizeof(OutRecord), out_n, stdout);
            out_n = 0;
            fflush(stdout);
        }
    }
    outbuf[out_n++] = OutRecord{0, 0x80000000u, sim.cycle};
    fwrite(outbuf, sizeof(OutRecord), out_n, stdout);
    fflush(stdout);
    return 0;
}
