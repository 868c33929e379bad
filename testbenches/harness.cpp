// Verilator co-simulation harness for the softmax unit (any configuration).
//
// Built by softmax-hw with `verilator --cc --exe --build --prefix Vunit --top-module <unit>`,
// run as a child process. Binary records over pipes (little endian):
//   stdin : 8 bytes per input element   u32 data (two's complement, low bits), u32 flags
//           (bit 0: last; bit 2: masked, driven on s_axis_tuser; sparse units: bit 1: write
//           theta = bits 8..31 in the cycle of this element's handshake: on a row's first
//           element it applies to that row, on a later one only to the rows after it)
//   stdout: 16 bytes per output element u32 data, u32 flags (bit 0: last; sparse units:
//           bit 1: tuser (keep), bits 8..30: kept count), u64 cycle of the handshake
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

namespace {

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
        top->s_axis_tdata = 0;
        top->s_axis_tuser = 0;
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
    for (uint64_t c = 0; c < cycles; c++) {
        t->s_axis_tvalid = 1;
        t->s_axis_tdata = (x >> 16) & 0x7;  // fits every input width (>= 4 bits)
        t->s_axis_tlast = (k + 1 == row_len);
        t->m_axis_tready = 1;
        t->eval();
        if (t->s_axis_tready) {
            x = x * 1103515245u + 12345u;
            k = (k + 1 == row_len) ? 0 : k + 1;
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
        // the element offered this cycle (the record stays until it is accepted)
        if (in_pos == in_n && !eof) {
            in_n = fread(inbuf, sizeof(InRecord), 8192, stdin);
            in_pos = 0;
            if (in_n == 0) eof = true;
        }
        bool have = in_pos < in_n;
        bool offer = have && (stall == 0.0 || rng.uniform() >= stall);
        bool ready = stall == 0.0 || rng.uniform() >= stall;
        t->s_axis_tvalid = offer;
        t->s_axis_tdata = have ? inbuf[in_pos].data : 0;
        t->s_axis_tlast = have ? (inbuf[in_pos].flags & 1) : 0;
        t->s_axis_tuser = have ? ((inbuf[in_pos].flags >> 2) & 1) : 0;
        t->m_axis_tready = ready;
#ifdef SPARSE_UNIT
        t->theta_we = 0;
#endif
        t->eval();
        // handshakes are sampled before the rising edge
#ifdef SPARSE_UNIT
        // a theta write is pulsed in the cycle of its element's handshake only (s_axis_tready
        // does not depend on theta_we)
        if (offer && t->s_axis_tready && (inbuf[in_pos].flags & 2)) {
            t->theta_we = 1;
            t->theta = inbuf[in_pos].flags >> 8;
            t->eval();
        }
#endif
        if (offer && t->s_axis_tready) in_pos++;
        if (t->m_axis_tvalid && ready) {
            uint32_t flags = (uint32_t)t->m_axis_tlast;
#ifdef SPARSE_UNIT
            flags |= ((uint32_t)t->m_axis_tuser << 1) | ((uint32_t)t->m_axis_kept << 8);
#endif
            outbuf[out_n++] = OutRecord{(uint32_t)t->m_axis_tdata, flags, sim.cycle};
            if (out_n == 8192) {
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
