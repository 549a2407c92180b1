// stimulus.h — where walk requests come from: directed cases, constrained-random page tables
// and walks, or the TLB-miss stream of a real trace. Each source builds its page tables in the
// World (C model page-table editor + raw PTE writes) and may change them between walks.
#ifndef MMU_COSIM_STIMULUS_H
#define MMU_COSIM_STIMULUS_H

#include <deque>
#include <memory>
#include <string>

#include "cosim.h"
#include "world.h"

namespace cosim {

class Stimulus {
  public:
    virtual ~Stimulus() = default;
    // The next request; false when the source is exhausted. Called only between walks (no walk
    // in flight), so it may edit the page tables.
    virtual bool next(WalkReq &req) = 0;
    // The C model's outcome of the walk just checked (the trace source reacts to faults).
    virtual void done(const WalkReq &, const pt_walk_result &) {}
    virtual std::string describe() const = 0;
};

// Throws std::runtime_error on setup errors (bad trace input, editor refusing a directed case).
std::unique_ptr<Stimulus> make_directed(const Options &o, World &w, const Variant &v);
std::unique_ptr<Stimulus> make_random(const Options &o, World &w);
std::unique_ptr<Stimulus> make_trace(const Options &o, World &w);

} // namespace cosim

#endif
