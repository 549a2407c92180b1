// coverage.cpp — see coverage.h.
#include "coverage.h"

#include <cstring>
#include <fstream>
#include <sstream>

namespace cosim {

static bool is_riscv(const pt_format *f) {
    return f->id == MMU_FMT_SV39 || f->id == MMU_FMT_SV48 || f->id == MMU_FMT_SV57;
}

bool fault_reachable(const pt_format *f, mmu_fault k, unsigned ad_mask) {
    switch (k) {
    case MMU_FAULT_NONE: return false;
    case MMU_FAULT_PROT_READ:  // x86, ARM: a present/valid leaf is always readable
    case MMU_FAULT_MISALIGNED: // x86: a misaligned large page is RESERVED; ARM: block OA RES0 bits
        return is_riscv(f);
    case MMU_FAULT_ACCESSED:
    case MMU_FAULT_DIRTY: return (ad_mask & 2u) != 0;
    default: return true;
    }
}

void Coverage::add(const pt_walk_result &r, unsigned pwc_hit_level) {
    walks++;
    if (r.fault == MMU_FAULT_NONE) leaf[r.level]++;
    else fault[r.fault][r.fault_level]++;
    if (pwc_hit_level) pwc_hit[pwc_hit_level]++;
    for (unsigned i = 0; i < r.n_ad_writes; i++) ad_write[r.ad_writes[i].level]++;
}

void Coverage::merge(const Coverage &o) {
    walks += o.walks;
    flushes += o.flushes;
    mem_reads += o.mem_reads;
    mem_writes += o.mem_writes;
    stall_cycles += o.stall_cycles;
    ad_mask |= o.ad_mask;
    for (unsigned k = 0; k < MMU_FAULT_COUNT; k++)
        for (unsigned l = 0; l < MMU_PT_MAX_LEVELS; l++) fault[k][l] += o.fault[k][l];
    for (unsigned l = 0; l < MMU_PT_MAX_LEVELS; l++) {
        leaf[l] += o.leaf[l];
        pwc_hit[l] += o.pwc_hit[l];
        ad_write[l] += o.ad_write[l];
        if (o.pwc_size[l] > pwc_size[l]) pwc_size[l] = o.pwc_size[l];
    }
}

void Coverage::print(FILE *out, const pt_format *f) const {
    const unsigned L = f->levels;
    std::fprintf(out, "coverage: %llu walks, %llu flushes, %llu PTE reads, %llu A/D writes, %llu back-pressure stall cycles\n",
                 (unsigned long long)walks, (unsigned long long)flushes, (unsigned long long)mem_reads,
                 (unsigned long long)mem_writes, (unsigned long long)stall_cycles);
    std::fprintf(out, "  %-14s", "level");
    for (unsigned l = 0; l < L; l++) std::fprintf(out, " %10u", l);
    std::fprintf(out, "\n  %-14s", "leaf (size)");
    for (unsigned l = 0; l < L; l++) {
        if (pt_format_allows_leaf(f, l)) {
            char b[32];
            std::snprintf(b, sizeof b, "%llu(%s)", (unsigned long long)leaf[l], mmu_level_size_str(l));
            std::fprintf(out, " %10s", b);
        } else {
            std::fprintf(out, " %10s", "-");
        }
    }
    for (unsigned k = 1; k < MMU_FAULT_COUNT; k++) {
        std::fprintf(out, "\n  %-14s", mmu_fault_str((mmu_fault)k));
        for (unsigned l = 0; l < L; l++) std::fprintf(out, " %10llu", (unsigned long long)fault[k][l]);
    }
    std::fprintf(out, "\n  %-14s", "pwc hit");
    for (unsigned l = 0; l < L; l++) {
        if (l == 0 || !pwc_size[l]) std::fprintf(out, " %10s", "-");
        else std::fprintf(out, " %10llu", (unsigned long long)pwc_hit[l]);
    }
    std::fprintf(out, "\n  %-14s", "A/D writes");
    for (unsigned l = 0; l < L; l++) std::fprintf(out, " %10llu", (unsigned long long)ad_write[l]);
    std::fprintf(out, "\n");
}

bool Coverage::write(const std::string &path, const pt_format *f, std::string &err) const {
    std::ofstream o(path);
    if (!o) {
        err = "cannot write " + path;
        return false;
    }
    o << "mmu_cosim-coverage 1\nformat " << f->name << "\nwalks " << walks << "\nflushes " << flushes
      << "\nmem_reads " << mem_reads << "\nmem_writes " << mem_writes << "\nstall_cycles " << stall_cycles
      << "\n";
    if (ad_mask & 1u) o << "ad_policy hw\n";
    if (ad_mask & 2u) o << "ad_policy fault\n";
    for (unsigned k = 1; k < MMU_FAULT_COUNT; k++)
        for (unsigned l = 0; l < MMU_PT_MAX_LEVELS; l++)
            if (fault[k][l]) o << "fault " << mmu_fault_str((mmu_fault)k) << " " << l << " " << fault[k][l] << "\n";
    for (unsigned l = 0; l < MMU_PT_MAX_LEVELS; l++) {
        if (leaf[l]) o << "leaf " << l << " " << leaf[l] << "\n";
        if (pwc_hit[l]) o << "pwc_hit " << l << " " << pwc_hit[l] << "\n";
        if (ad_write[l]) o << "ad_write " << l << " " << ad_write[l] << "\n";
        if (pwc_size[l]) o << "pwc_size " << l << " " << pwc_size[l] << "\n";
    }
    o.close();
    if (!o) {
        err = "error writing " + path;
        return false;
    }
    return true;
}

bool Coverage::read(const std::string &path, std::string &format, std::string &err) {
    std::ifstream in(path);
    if (!in) {
        err = "cannot read " + path + " (did the run that writes it pass?)";
        return false;
    }
    std::string line;
    unsigned n = 0;
    while (std::getline(in, line)) {
        n++;
        std::istringstream ss(line);
        std::string key;
        ss >> key;
        auto bad = [&]() {
            err = path + ":" + std::to_string(n) + ": malformed line '" + line + "'";
            return false;
        };
        uint64_t v = 0;
        unsigned l = 0;
        if (key == "mmu_cosim-coverage") continue;
        if (key == "format") {
            ss >> format;
        } else if (key == "ad_policy") {
            std::string p;
            ss >> p;
            if (p == "hw") ad_mask |= 1u;
            else if (p == "fault") ad_mask |= 2u;
            else return bad();
        } else if (key == "walks" || key == "flushes" || key == "mem_reads" || key == "mem_writes" ||
                   key == "stall_cycles") {
            if (!(ss >> v)) return bad();
            (key == "walks" ? walks : key == "flushes" ? flushes : key == "mem_reads" ? mem_reads
                              : key == "mem_writes" ? mem_writes : stall_cycles) += v;
        } else if (key == "fault") {
            std::string kind;
            if (!(ss >> kind >> l >> v) || l >= MMU_PT_MAX_LEVELS) return bad();
            unsigned k = 1;
            while (k < MMU_FAULT_COUNT && kind != mmu_fault_str((mmu_fault)k)) k++;
            if (k == MMU_FAULT_COUNT) return bad();
            fault[k][l] += v;
        } else if (key == "leaf" || key == "pwc_hit" || key == "ad_write" || key == "pwc_size") {
            if (!(ss >> l >> v) || l >= MMU_PT_MAX_LEVELS) return bad();
            if (key == "leaf") leaf[l] += v;
            else if (key == "pwc_hit") pwc_hit[l] += v;
            else if (key == "ad_write") ad_write[l] += v;
            else if (v > pwc_size[l]) pwc_size[l] = (unsigned)v;
        } else if (!key.empty()) {
            return bad();
        }
    }
    return true;
}

std::vector<std::string> Coverage::holes(const pt_format *f, unsigned policies) const {
    std::vector<std::string> h;
    for (unsigned k = 1; k < MMU_FAULT_COUNT; k++) {
        if (!fault_reachable(f, (mmu_fault)k, policies)) continue;
        uint64_t n = 0;
        for (unsigned l = 0; l < MMU_PT_MAX_LEVELS; l++) n += fault[k][l];
        if (!n) h.push_back(std::string("fault kind ") + mmu_fault_str((mmu_fault)k) + " never seen");
    }
    for (unsigned l = 0; l < f->levels; l++)
        if (pt_format_allows_leaf(f, l) && !leaf[l])
            h.push_back("no successful walk to a " + std::string(mmu_level_size_str(l)) + " page (level " +
                        std::to_string(l) + ")");
    // Every level can be not present: the root entry, every table entry, the leaf.
    for (unsigned l = 0; l < f->levels; l++)
        if (!fault[MMU_FAULT_NOT_PRESENT][l])
            h.push_back("not_present never seen at level " + std::to_string(l));
    for (unsigned l = 1; l < f->levels; l++)
        if (pwc_size[l] && !pwc_hit[l])
            h.push_back("page-walk cache of level " + std::to_string(l) + " never hit");
    if (f->id == MMU_FMT_ARMV8_4K48) {
        // RESERVED at every level: bits[1:0]=01 at L3 (level 0), block OA not aligned (1, 2), block
        // at L0 (3), and RES0 OA bits 50:48 anywhere. Leaf faults at every page size.
        for (unsigned l = 0; l < f->levels; l++)
            if (!fault[MMU_FAULT_RESERVED][l]) h.push_back("reserved never seen at level " + std::to_string(l));
        static const mmu_fault leaf_faults[] = {MMU_FAULT_PROT_USER, MMU_FAULT_PROT_WRITE, MMU_FAULT_PROT_EXEC,
                                                MMU_FAULT_ACCESSED, MMU_FAULT_DIRTY};
        for (unsigned l = 0; l < f->levels; l++) {
            if (!pt_format_allows_leaf(f, l)) continue;
            for (mmu_fault k : leaf_faults)
                if (fault_reachable(f, k, policies) && !fault[k][l])
                    h.push_back(std::string(mmu_fault_str(k)) + " never seen at leaf level " + std::to_string(l));
        }
        if (!fault[MMU_FAULT_NONCANONICAL][f->levels - 1])
            h.push_back("noncanonical never seen at the root level");
    }
    return h;
}

int check_coverage_files(const Options &o) {
    const pt_format *f = pt_format_get(o.format);
    Coverage total;
    for (const auto &path : o.coverage_files) {
        Coverage c;
        std::string fmt, err;
        if (!c.read(path, fmt, err)) {
            std::fprintf(stderr, "mmu_cosim: %s\n", err.c_str());
            return 1;
        }
        if (fmt != f->name) {
            std::fprintf(stderr, "mmu_cosim: %s is coverage of format %s, not %s\n", path.c_str(), fmt.c_str(),
                         f->name);
            return 1;
        }
        total.merge(c);
    }
    std::printf("merged coverage of %zu files, format %s\n", o.coverage_files.size(), f->name);
    total.print(stdout, f);
    const auto h = total.holes(f, total.ad_mask);
    for (const auto &s : h) std::printf("COVERAGE HOLE: %s\n", s.c_str());
    std::printf("%s\n", h.empty() ? "coverage complete" : "coverage INCOMPLETE");
    return h.empty() ? 0 : 1;
}

} // namespace cosim
