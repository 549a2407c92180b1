// sparse_memory.h — a TLM-2.0 target modelling the physical address space as
// a sparse RAM (4 KiB frames in a std::unordered_map, allocated on first
// write, reading zero before). Fixed access latency; byte enables and
// streaming width honoured; debug transport without latency. Used by the
// example platform and the unit test.
#ifndef MMU_TLM_SPARSE_MEMORY_H
#define MMU_TLM_SPARSE_MEMORY_H

#include <array>
#include <cstdint>
#include <unordered_map>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

class sparse_memory : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<sparse_memory> tsock;

    uint64_t accesses = 0;      // b_transport calls
    uint64_t last_address = 0;  // address of the last b_transport (a physical address)
    unsigned last_length = 0;

    sparse_memory(sc_core::sc_module_name name, const sc_core::sc_time &latency)
        : sc_core::sc_module(name), tsock("tsock"), latency_(latency) {
        tsock.register_b_transport(this, &sparse_memory::b_transport);
        tsock.register_transport_dbg(this, &sparse_memory::transport_dbg);
    }

    uint8_t peek(uint64_t pa) const {
        const auto it = frames_.find(pa >> kShift);
        return it == frames_.end() ? 0 : it->second[pa & kMask];
    }
    void poke(uint64_t pa, uint8_t v) { frames_[pa >> kShift][pa & kMask] = v; }
    size_t frames() const { return frames_.size(); }

private:
    static constexpr unsigned kShift = 12;
    static constexpr uint64_t kMask = (uint64_t(1) << kShift) - 1;
    std::unordered_map<uint64_t, std::array<uint8_t, 4096>> frames_;
    sc_core::sc_time latency_;

    // Copies len bytes; byte enables (pattern repeating) and a streaming
    // window of sw bytes as TLM-2.0 defines them.
    void copy(tlm::tlm_generic_payload &t) {
        const uint64_t a = t.get_address();
        const unsigned len = t.get_data_length();
        const unsigned sw = t.get_streaming_width() ? t.get_streaming_width() : len;
        unsigned char *d = t.get_data_ptr();
        const unsigned char *be = t.get_byte_enable_ptr();
        const unsigned be_len = t.get_byte_enable_length();
        for (unsigned i = 0; i < len; i++) {
            if (be && be_len && be[i % be_len] != TLM_BYTE_ENABLED) continue;
            const uint64_t pa = a + i % sw;
            if (t.is_write()) poke(pa, d[i]);
            else if (t.is_read()) d[i] = peek(pa);
        }
    }

    void b_transport(tlm::tlm_generic_payload &t, sc_core::sc_time &delay) {
        accesses++;
        last_address = t.get_address();
        last_length = t.get_data_length();
        copy(t);
        delay += latency_;
        t.set_response_status(tlm::TLM_OK_RESPONSE);
    }

    unsigned int transport_dbg(tlm::tlm_generic_payload &t) {
        copy(t);
        return t.get_data_length();
    }
};

#endif
