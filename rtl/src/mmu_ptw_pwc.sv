// mmu_ptw_pwc — one page-walk-cache level: fully associative, true LRU,
// ASID-tagged (model/src/pwc/pwc.c on model/src/tlb/sa_array.c with
// `levels: [k]`, `entries = ways = Entries`, `replacement: lru`).
//
// An entry caches the table entry at this instance's level k for one VA:
// tag = va >> mmu_level_shift(k) (the caller passes va[VaBits-1:shift], which
// is the whole tag for a canonical VA), the ASID (never global), payload =
// PA of the table it points to and the permissions accumulated down to it.
//
// Replacement, exactly as sa_array + repl_lru:
//   - a lookup hit is a use (sa_lookup = find + touch);
//   - a fill whose (tag, ASID) is cached updates in place and is a use;
//     otherwise it takes the lowest-numbered invalid entry, otherwise the
//     least recently used one (argmin of the C per-way stamps);
//   - flush invalidates every entry (stamps of invalid entries never matter:
//     holes are taken before any victim is chosen).
// The C stamps are replaced by an age matrix: newer_q[i][j] = 1 when entry i
// was used more recently than entry j. A use of w sets row w and clears
// column w. When every entry is valid, each was used since it became valid,
// so the matrix is a total order and exactly one entry is older than all
// others: the C argmin.
//
// Timing: lookup is combinational (hit_o in the same cycle); touch, fill and
// flush take effect at the next clock edge. flush_i wins over a lookup touch
// or a fill in the same cycle and masks the lookup (the cache is seen empty).
module mmu_ptw_pwc #(
  parameter int unsigned Entries = 4,
  parameter int unsigned TagW    = 9
) (
  input  logic                                clk_i,
  input  logic                                rst_ni,
  input  logic                                flush_i,
  // lookup (touches the hit entry when lookup_i)
  input  logic                                lookup_i,
  input  logic [TagW-1:0]                     lookup_tag_i,
  input  logic [mmu_ptw_pkg::AsidW-1:0]       lookup_asid_i,
  output logic                                hit_o,
  output logic [63:0]                         hit_table_o,
  output logic [mmu_ptw_pkg::RwxuW-1:0]       hit_acc_o,
  // fill (after a successful walk)
  input  logic                                fill_i,
  input  logic [TagW-1:0]                     fill_tag_i,
  input  logic [mmu_ptw_pkg::AsidW-1:0]       fill_asid_i,
  input  logic [63:0]                         fill_table_i,
  input  logic [mmu_ptw_pkg::RwxuW-1:0]       fill_acc_i
);
  import mmu_ptw_pkg::*;

  typedef logic [Entries-1:0] way_mask_t;

  way_mask_t                  valid_q, valid_d;
  logic [TagW-1:0]            tag_q   [Entries];
  logic [AsidW-1:0]           asid_q  [Entries];
  logic [63:0]                table_q [Entries];
  logic [RwxuW-1:0]           acc_q   [Entries];
  // newer_q[i][j]: entry i was used more recently than entry j (diagonal unused, kept 0).
  logic [Entries-1:0][Entries-1:0] newer_q, newer_d;

  way_mask_t lookup_match, fill_match, holes, victim, fill_way, touch;
  logic      do_fill;

  // ---- lookup -------------------------------------------------------------
  always_comb begin
    for (int unsigned w = 0; w < Entries; w++) begin
      lookup_match[w] = valid_q[w] && tag_q[w] == lookup_tag_i && asid_q[w] == lookup_asid_i;
    end
    if (flush_i) lookup_match = '0;
  end

  always_comb begin
    hit_table_o = '0;
    hit_acc_o   = '0;
    for (int unsigned w = 0; w < Entries; w++) begin
      if (lookup_match[w]) begin
        hit_table_o |= table_q[w];
        hit_acc_o   |= acc_q[w];
      end
    end
  end
  assign hit_o = |lookup_match;

  // ---- fill way selection ---------------------------------------------------
  always_comb begin
    for (int unsigned w = 0; w < Entries; w++) begin
      fill_match[w] = valid_q[w] && tag_q[w] == fill_tag_i && asid_q[w] == fill_asid_i;
      // LRU: every other entry is more recent than w.
      victim[w] = 1'b1;
      for (int unsigned i = 0; i < Entries; i++) begin
        if (i != w && !newer_q[i][w]) victim[w] = 1'b0;
      end
    end
    holes = ~valid_q;
  end

  // First set bit of a mask (sa_array: lowest invalid way; argmin: first on ties).
  function automatic way_mask_t first_one(way_mask_t m);
    return m & (~m + way_mask_t'(1));
  endfunction

  assign do_fill = fill_i && !flush_i;

  always_comb begin
    if (fill_match != '0)   fill_way = first_one(fill_match);
    else if (holes != '0)   fill_way = first_one(holes);
    else                    fill_way = first_one(victim);
  end

  // Uses for replacement: lookup hit, or fill (new entry or in-place update).
  always_comb begin
    touch = '0;
    if (lookup_i) touch |= lookup_match;
    if (do_fill)  touch |= fill_way;
  end

  always_comb begin
    newer_d = newer_q;
    for (int unsigned w = 0; w < Entries; w++) begin
      if (touch[w]) begin
        for (int unsigned j = 0; j < Entries; j++) begin
          newer_d[w][j] = (j != w);
          newer_d[j][w] = 1'b0;
        end
      end
    end
  end

  always_comb begin
    valid_d = valid_q;
    if (do_fill) valid_d |= fill_way;
    if (flush_i) valid_d = '0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q <= '0;
      newer_q <= '0;
    end else begin
      valid_q <= valid_d;
      newer_q <= newer_d;
    end
  end

  // Payload: no reset needed (guarded by valid_q).
  always_ff @(posedge clk_i) begin
    for (int unsigned w = 0; w < Entries; w++) begin
      if (do_fill && fill_way[w]) begin
        tag_q[w]   <= fill_tag_i;
        asid_q[w]  <= fill_asid_i;
        table_q[w] <= fill_table_i;
        acc_q[w]   <= fill_acc_i;
      end
    end
  end

  // ---- assertions -----------------------------------------------------------
`ifndef SYNTHESIS
  // At most one entry ever matches a (tag, ASID).
  a_lookup_onehot: assert property (@(posedge clk_i) disable iff (!rst_ni)
      $onehot0(lookup_match))
    else $error("mmu_ptw_pwc: several entries match one lookup");
  // A full cache has exactly one LRU entry.
  a_victim_onehot: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (valid_q == '1) |-> $onehot(victim))
    else $error("mmu_ptw_pwc: LRU order is not total");
  // The walker never looks up and fills in the same cycle.
  a_lookup_xor_fill: assert property (@(posedge clk_i) disable iff (!rst_ni)
      !(lookup_i && fill_i))
    else $error("mmu_ptw_pwc: lookup and fill in the same cycle");
`endif

endmodule
