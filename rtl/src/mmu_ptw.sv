// mmu_ptw — page-table walker with per-level page-walk caches.
//
// Contract: rtl/INTERFACE.md. Behaviour = model/src/walker/walker.c
// (page-walk-cache lookup, deepest hit wins, fill after a successful walk)
// around model/src/pt/walk.c (pt_walk: per-entry check order invalid,
// reserved, misaligned; at the leaf privilege, R/W/X, then A/D) with the
// format codec of mmu_ptw_pkg.
//
// FSM (one walk at a time):
//   StIdle    req_ready_o. The accept cycle *is* the page-walk-cache lookup
//             cycle: all caches are probed with req_va_i/req_asid_i, the
//             deepest hit chosen, the canonical and start-table checks made,
//             and the first PTE address registered.
//   StRead    mem_req_valid_o (read) until mem_req_ready_i.
//   StWait    mem_rsp_ready_o; the response is decoded in the cycle it
//             arrives and the next action registered: next StRead, StAdWrite
//             (hardware A/D updates, top to bottom) or StResp.
//   StAdWrite mem_req_valid_o (write) until mem_req_ready_i.
//   StAdWait  mem_rsp_ready_o; next StAdWrite or StResp.
//   StResp    rsp_valid_o until rsp_ready_i; page-walk caches are filled in
//             the handshake cycle (successful walks only).
// Hence: lookup = 1 cycle, each memory op presented the cycle after the
// lookup or the previous response, rsp_valid_o the cycle after the last
// response (INTERFACE.md, timing contract).
module mmu_ptw #(
  parameter int unsigned Format       = 0,
  parameter bit          AdFault      = 1'b0,
  // Page-walk-cache entries per table-entry level (index 0 = level 1). The
  // scalar PwcEntriesL* exist because Verilator's -G cannot set an unpacked
  // array: -GPwcEntriesL2=8 is the command-line way, .PwcEntries('{..}) the
  // instantiation way.
  parameter int unsigned PwcEntriesL1 = 0,
  parameter int unsigned PwcEntriesL2 = 0,
  parameter int unsigned PwcEntriesL3 = 0,
  parameter int unsigned PwcEntriesL4 = 0,
  parameter int unsigned PwcEntries[4] = '{PwcEntriesL1, PwcEntriesL2, PwcEntriesL3, PwcEntriesL4},
  // Size of simulated physical memory (mmu_physmem_size): a root or next-table
  // pointer that is not a 4 KiB table inside [0, PhysMemBytes) faults RESERVED.
  parameter logic [63:0] PhysMemBytes = 64'h0000_0010_0000_0000,  // 64 GiB, the C default
  parameter int unsigned Mutation     = 0
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // walk request
  input  logic        req_valid_i,
  output logic        req_ready_o,
  input  logic [63:0] req_root_i,
  input  logic [63:0] req_va_i,
  input  logic [1:0]  req_type_i,
  input  logic        req_user_i,
  input  logic [15:0] req_asid_i,
  // memory port
  output logic        mem_req_valid_o,
  input  logic        mem_req_ready_i,
  output logic [63:0] mem_req_addr_o,
  output logic        mem_req_we_o,
  output logic [63:0] mem_req_wdata_o,
  input  logic        mem_rsp_valid_i,
  output logic        mem_rsp_ready_o,
  input  logic [63:0] mem_rsp_rdata_i,
  // result
  output logic        rsp_valid_o,
  input  logic        rsp_ready_i,
  output logic [63:0] rsp_pa_o,
  output logic [2:0]  rsp_level_o,
  output logic [6:0]  rsp_perm_o,
  output logic [3:0]  rsp_fault_o,
  output logic [2:0]  rsp_fault_level_o,
  output logic [2:0]  rsp_pwc_hit_level_o,
  // page-walk-cache invalidation
  input  logic        flush_i
);
  import mmu_ptw_pkg::*;

  // ---- the selected format (pt_format fields) -------------------------------
  localparam int unsigned       Levels        = fmt_levels(Format);
  localparam int unsigned       VaBits        = fmt_va_bits(Format);
  localparam level_t            RootLevel     = level_t'(Levels - 1);
  localparam logic [MaxLevels-1:0] LeafLevels = fmt_leaf_levels(Format);
  localparam bit                TableAccessed = fmt_table_accessed(Format);
  localparam bit                HierPerms     = fmt_hier_perms(Format);

  // ---- state ------------------------------------------------------------------
  typedef enum logic [2:0] {
    StIdle    = 3'd0,
    StRead    = 3'd1,
    StWait    = 3'd2,
    StAdWrite = 3'd3,
    StAdWait  = 3'd4,
    StResp    = 3'd5
  } state_e;

  state_e                 state_q, state_d;
  // request
  logic [63:0]            va_q, va_d;
  acc_type_e              type_q, type_d;
  logic                   user_q, user_d;
  logic [AsidW-1:0]       asid_q, asid_d;
  // walk progress
  level_t                 level_q, level_d;        // level of the entry being read
  logic [63:0]            addr_q, addr_d;          // its address
  logic [RwxuW-1:0]       acc_q, acc_d;            // accumulated permissions
  logic [MaxLevels-1:0]   tbl_read_q, tbl_read_d;  // a table entry was read at level k
  logic [MaxLevels-1:0]   ad_mask_q, ad_mask_d;    // entries still to be A/D-written
  level_t                 wlevel_q, wlevel_d;      // level of the write in flight
  logic                   flush_seen_q, flush_seen_d;
  // per-level record of the walk (pt_walk_step): PTE read, its address,
  // next table and accumulated permissions (for the fill)
  logic [63:0]            pte_q      [MaxLevels];
  logic [63:0]            pte_d      [MaxLevels];
  logic [63:0]            pte_addr_q [MaxLevels];
  logic [63:0]            pte_addr_d [MaxLevels];
  logic [63:0]            next_pa_q  [MaxLevels];
  logic [63:0]            next_pa_d  [MaxLevels];
  logic [RwxuW-1:0]       acc_lvl_q  [MaxLevels];
  logic [RwxuW-1:0]       acc_lvl_d  [MaxLevels];
  // result
  fault_e                 fault_q, fault_d;
  level_t                 fault_level_q, fault_level_d;
  logic [63:0]            pa_q, pa_d;
  level_t                 leaf_level_q, leaf_level_d;
  perm_t                  perm_q, perm_d;
  level_t                 hit_level_q, hit_level_d;

  // ---- helpers ----------------------------------------------------------------
  // Index of va in the table at level (mmu_pt_index). Mutation 1 plants a bug:
  // the level-1 index takes its low bit from va[20] instead of va[21].
  function automatic logic [IdxW-1:0] va_index(logic [63:0] va, level_t level);
    logic [IdxW-1:0] idx;
    idx = pt_index(va, level);
    if (Mutation == 1 && level == 1) idx[0] = va[20];
    return idx;
  endfunction

  function automatic logic [63:0] pte_addr(logic [63:0] table_pa, logic [63:0] va, level_t level);
    return table_pa + 64'(va_index(va, level)) * 64'(PteBytes);  // mmu_pt_index * MMU_PTE_BYTES
  endfunction

  // walk.c table_ok: a 4 KiB-aligned table inside simulated memory.
  function automatic logic table_ok(logic [63:0] pa);
    return pa[PageShift-1:0] == '0 && pa < PhysMemBytes
        && (PhysMemBytes - pa) >= 64'(FrameBytes);
  endfunction

  // Highest level set in a mask: A/D writes go top to bottom.
  function automatic level_t top_level(logic [MaxLevels-1:0] m);
    level_t l;
    l = '0;
    for (int unsigned k = 0; k < MaxLevels; k++) begin
      if (m[k]) l = level_t'(k);
    end
    return l;
  endfunction

  // ---- page-walk caches: one per table-entry level 1..Levels-1 ------------------
  logic                   req_fire, lookup_en, canonical;
  logic [MaxLevels-1:0]   pwc_hit;
  logic [63:0]            pwc_table [MaxLevels];
  logic [RwxuW-1:0]       pwc_acc   [MaxLevels];
  logic                   fill_en;

  assign req_fire  = req_valid_i && req_ready_o;
  assign canonical = fmt_canonical(Format, req_va_i);
  // walker.c: a non-canonical VA faults before any lookup (no LRU touch).
  assign lookup_en = req_fire && canonical;
  // Fill in the response handshake cycle of a successful walk (unless a flush
  // arrived during the walk: the walk is atomic at its acceptance, the flush after it).
  assign fill_en   = state_q == StResp && rsp_ready_i && fault_q == FaultNone && !flush_seen_q;

  // Without any page-walk cache the lookup/fill strobes drive nothing.
  logic unused_pwc_strobes;
  assign unused_pwc_strobes = ^{lookup_en, fill_en};

  assign pwc_hit[0]   = 1'b0;  // level 0 holds only leaves: never cached
  assign pwc_table[0] = '0;
  assign pwc_acc[0]   = '0;

  for (genvar k = 1; k < MaxLevels; k++) begin : g_pwc
    if (k < Levels && PwcEntries[k-1] > 0) begin : g_on
      localparam int unsigned Shift = PageShift + LevelBits * k;
      localparam int unsigned TagW  = VaBits - Shift;
      mmu_ptw_pwc #(
        .Entries (PwcEntries[k-1]),
        .TagW    (TagW)
      ) u_pwc (
        .clk_i,
        .rst_ni,
        .flush_i,
        .lookup_i      (lookup_en),
        .lookup_tag_i  (req_va_i[VaBits-1:Shift]),
        .lookup_asid_i (req_asid_i),
        .hit_o         (pwc_hit[k]),
        .hit_table_o   (pwc_table[k]),
        .hit_acc_o     (pwc_acc[k]),
        .fill_i        (fill_en && tbl_read_q[k]),
        .fill_tag_i    (va_q[VaBits-1:Shift]),
        .fill_asid_i   (asid_q),
        .fill_table_i  (next_pa_q[k]),
        .fill_acc_i    (acc_lvl_q[k])
      );
    end else begin : g_off
      assign pwc_hit[k]   = 1'b0;
      assign pwc_table[k] = '0;
      assign pwc_acc[k]   = '0;
    end
  end

  // Deepest hit wins (walker.c).
  logic             best_hit;
  level_t           best_level;
  logic [63:0]      best_table;
  logic [RwxuW-1:0] best_acc;
  always_comb begin
    best_hit   = 1'b0;
    best_level = '0;
    best_table = '0;
    best_acc   = '0;
    for (int k = MaxLevels - 1; k >= 1; k--) begin
      if (pwc_hit[k]) begin
        best_hit   = 1'b1;
        best_level = level_t'(k);
        best_table = pwc_table[k];
        best_acc   = pwc_acc[k];
      end
    end
  end

  // ---- next state ---------------------------------------------------------------
  pte_dec_t         dec;
  logic [RwxuW-1:0] acc_next;
  perm_t            eff;
  logic             user_page, need_a, need_d, is_store;
  logic [63:0]      start_table;
  level_t           start_level;
  logic [RwxuW-1:0] start_acc;

  assign dec      = pte_decode(Format, mem_rsp_rdata_i, level_q);
  assign is_store = type_q == AccStore;

  always_comb begin
    state_d       = state_q;
    va_d          = va_q;
    type_d        = type_q;
    user_d        = user_q;
    asid_d        = asid_q;
    level_d       = level_q;
    addr_d        = addr_q;
    acc_d         = acc_q;
    tbl_read_d    = tbl_read_q;
    ad_mask_d     = ad_mask_q;
    wlevel_d      = wlevel_q;
    flush_seen_d  = flush_seen_q || (flush_i && state_q != StIdle);
    pte_d         = pte_q;
    pte_addr_d    = pte_addr_q;
    next_pa_d     = next_pa_q;
    acc_lvl_d     = acc_lvl_q;
    fault_d       = fault_q;
    fault_level_d = fault_level_q;
    pa_d          = pa_q;
    leaf_level_d  = leaf_level_q;
    perm_d        = perm_q;
    hit_level_d   = hit_level_q;

    acc_next    = '0;
    eff         = '0;
    user_page   = 1'b0;
    need_a      = 1'b0;
    need_d      = 1'b0;
    start_table = best_hit ? best_table : req_root_i;
    start_level = best_hit ? best_level - level_t'(1) : RootLevel;
    start_acc   = best_hit ? best_acc : PermRwxu[RwxuW-1:0];

    unique case (state_q)
      // Accept + page-walk-cache lookup.
      StIdle: begin
        if (req_fire) begin
          va_d          = req_va_i;
          type_d        = acc_type_e'(req_type_i);
          user_d        = req_user_i;
          asid_d        = req_asid_i;
          tbl_read_d    = '0;
          ad_mask_d     = '0;
          flush_seen_d  = 1'b0;
          fault_d       = FaultNone;
          fault_level_d = '0;
          pa_d          = '0;
          leaf_level_d  = '0;
          perm_d        = '0;
          if (!canonical) begin
            // NONCANONICAL: zero reads, fault level = root level, no lookup.
            hit_level_d   = '0;
            fault_d       = FaultNoncanonical;
            fault_level_d = RootLevel;
            state_d       = StResp;
          end else begin
            hit_level_d = best_hit ? best_level : '0;
            acc_d       = start_acc;
            level_d     = start_level;
            if (!table_ok(start_table)) begin
              // walk.c: a start table outside memory faults RESERVED, zero reads.
              fault_d       = FaultReserved;
              fault_level_d = start_level;
              state_d       = StResp;
            end else begin
              addr_d  = pte_addr(start_table, req_va_i, start_level);
              state_d = StRead;
            end
          end
        end
      end

      StRead: begin
        if (mem_req_ready_i) state_d = StWait;
      end

      // One PTE read answered: decode it (walk.c loop body).
      StWait: begin
        if (mem_rsp_valid_i) begin
          pte_d[level_q]      = mem_rsp_rdata_i;
          pte_addr_d[level_q] = addr_q;
          state_d             = StResp;  // unless the walk goes on
          fault_level_d       = level_q;
          unique case (dec.kind)
            EntryInvalid:    fault_d = FaultNotPresent;
            EntryReserved:   fault_d = FaultReserved;
            EntryMisaligned: fault_d = FaultMisaligned;
            EntryTable: begin
              if (level_q == '0 || !table_ok(dec.pa)) begin
                fault_d = FaultReserved;  // table at level 0 / pointer outside memory
              end else begin
                acc_next             = HierPerms ? (acc_q & dec.perm[RwxuW-1:0]) : acc_q;
                acc_d                = acc_next;
                tbl_read_d[level_q]  = 1'b1;
                next_pa_d[level_q]   = dec.pa;
                acc_lvl_d[level_q]   = acc_next;
                if (TableAccessed && !AdFault && !dec.perm[PteABit]) begin
                  ad_mask_d[level_q] = 1'b1;  // x86: A on every table entry used
                end
                fault_level_d = '0;
                level_d       = level_q - level_t'(1);
                addr_d        = pte_addr(dec.pa, va_q, level_q - level_t'(1));
                state_d       = StRead;
              end
            end
            EntryLeaf: begin
              eff = (dec.perm & (PermG | PteA | PteD))
                  | (dec.perm & {3'b000, acc_q} & PermRwxu);
              user_page = eff[PermUBit];
              need_a    = !eff[PteABit];
              need_d    = is_store && !eff[PteDBit];
              if (!LeafLevels[level_q]) begin
                fault_d = FaultReserved;  // leaf at a level that cannot be a leaf
              end else if (user_q ? !user_page : (type_q == AccIfetch && user_page)) begin
                fault_d = FaultProtUser;
              end else if (type_q == AccLoad && !eff[PermRBit]) begin
                fault_d = FaultProtRead;
              end else if (type_q == AccStore && !eff[PermWBit]) begin
                fault_d = FaultProtWrite;
              end else if (type_q == AccIfetch && !eff[PermXBit]) begin
                fault_d = FaultProtExec;
              end else if (AdFault && need_a) begin
                fault_d = FaultAccessed;
              end else if (AdFault && need_d) begin
                fault_d = FaultDirty;
              end else begin
                // Success. Hardware A/D update of the leaf if A=0 or (store and D=0);
                // Mutation 2 plants a bug: the A-only update is skipped.
                if (!AdFault && (need_a || need_d)) begin
                  if (!(Mutation == 2 && need_a && !need_d)) ad_mask_d[level_q] = 1'b1;
                  eff = eff | PteA | (is_store ? PteD : perm_t'(0));
                end
                fault_level_d = '0;
                pa_d          = dec.pa + (va_q & (level_size(level_q) - 64'd1));
                leaf_level_d  = level_q;
                perm_d        = eff;
                if (ad_mask_d != '0) begin
                  wlevel_d = top_level(ad_mask_d);
                  state_d  = StAdWrite;
                end
              end
            end
            default: fault_d = FaultReserved;
          endcase
          // A faulting walk writes nothing.
          if (fault_d != FaultNone) ad_mask_d = '0;
        end
      end

      StAdWrite: begin
        if (mem_req_ready_i) state_d = StAdWait;
      end

      StAdWait: begin
        if (mem_rsp_valid_i) begin
          ad_mask_d[wlevel_q] = 1'b0;
          if (ad_mask_d != '0) begin
            wlevel_d = top_level(ad_mask_d);
            state_d  = StAdWrite;
          end else begin
            state_d = StResp;
          end
        end
      end

      StResp: begin
        if (rsp_ready_i) state_d = StIdle;
      end

      default: state_d = StIdle;
    endcase
  end

  // ---- registers ------------------------------------------------------------------
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q       <= StIdle;
      va_q          <= '0;
      type_q        <= AccLoad;
      user_q        <= 1'b0;
      asid_q        <= '0;
      level_q       <= '0;
      addr_q        <= '0;
      acc_q         <= '0;
      tbl_read_q    <= '0;
      ad_mask_q     <= '0;
      wlevel_q      <= '0;
      flush_seen_q  <= 1'b0;
      fault_q       <= FaultNone;
      fault_level_q <= '0;
      pa_q          <= '0;
      leaf_level_q  <= '0;
      perm_q        <= '0;
      hit_level_q   <= '0;
    end else begin
      state_q       <= state_d;
      va_q          <= va_d;
      type_q        <= type_d;
      user_q        <= user_d;
      asid_q        <= asid_d;
      level_q       <= level_d;
      addr_q        <= addr_d;
      acc_q         <= acc_d;
      tbl_read_q    <= tbl_read_d;
      ad_mask_q     <= ad_mask_d;
      wlevel_q      <= wlevel_d;
      flush_seen_q  <= flush_seen_d;
      fault_q       <= fault_d;
      fault_level_q <= fault_level_d;
      pa_q          <= pa_d;
      leaf_level_q  <= leaf_level_d;
      perm_q        <= perm_d;
      hit_level_q   <= hit_level_d;
    end
  end

  // Per-level walk record: no reset needed (qualified by tbl_read_q / ad_mask_q).
  always_ff @(posedge clk_i) begin
    pte_q      <= pte_d;
    pte_addr_q <= pte_addr_d;
    next_pa_q  <= next_pa_d;
    acc_lvl_q  <= acc_lvl_d;
  end

  // ---- outputs ----------------------------------------------------------------------
  assign req_ready_o     = state_q == StIdle;
  assign mem_req_valid_o = state_q == StRead || state_q == StAdWrite;
  assign mem_req_we_o    = state_q == StAdWrite;
  assign mem_req_addr_o  = state_q == StAdWrite ? pte_addr_q[wlevel_q] : addr_q;
  assign mem_req_wdata_o = state_q == StAdWrite
                         ? pte_set_ad(Format, pte_q[wlevel_q], is_store && wlevel_q == leaf_level_q)
                         : '0;
  assign mem_rsp_ready_o = state_q == StWait || state_q == StAdWait;

  assign rsp_valid_o         = state_q == StResp;
  assign rsp_pa_o            = pa_q;
  assign rsp_level_o         = leaf_level_q;
  assign rsp_perm_o          = perm_q;
  assign rsp_fault_o         = fault_q;
  assign rsp_fault_level_o   = fault_level_q;
  assign rsp_pwc_hit_level_o = hit_level_q;

  // ---- assertions (active with verilator --assert) ------------------------------------
`ifndef SYNTHESIS
  // Elaboration-time parameter checks.
  if (!fmt_supported(Format)) begin : g_bad_format
    $error("mmu_ptw: unsupported Format %0d", Format);
  end
  if (Mutation > 2) begin : g_bad_mutation
    $error("mmu_ptw: unknown Mutation %0d", Mutation);
  end

  // Request: the environment holds valid and payload until ready.
  a_req_stable: assert property (@(posedge clk_i) disable iff (!rst_ni)
      req_valid_i && !req_ready_o |=> req_valid_i
        && $stable(req_root_i) && $stable(req_va_i) && $stable(req_type_i)
        && $stable(req_user_i) && $stable(req_asid_i))
    else $error("mmu_ptw: request dropped or changed before ready");
  a_req_type: assert property (@(posedge clk_i) disable iff (!rst_ni)
      req_valid_i |-> req_type_i != 2'd3)
    else $error("mmu_ptw: bad access type");
  // No request accepted while a walk is in flight.
  a_ready_idle: assert property (@(posedge clk_i) disable iff (!rst_ni)
      req_ready_o |-> state_q == StIdle)
    else $error("mmu_ptw: ready while busy");
  // Memory request: valid and payload held until accepted.
  a_mem_req_stable: assert property (@(posedge clk_i) disable iff (!rst_ni)
      mem_req_valid_o && !mem_req_ready_i |=> mem_req_valid_o
        && $stable(mem_req_addr_o) && $stable(mem_req_we_o) && $stable(mem_req_wdata_o))
    else $error("mmu_ptw: memory request dropped or changed before ready");
  a_mem_req_aligned: assert property (@(posedge clk_i) disable iff (!rst_ni)
      mem_req_valid_o |-> mem_req_addr_o[2:0] == 3'b000)
    else $error("mmu_ptw: unaligned PTE address");
  // One outstanding memory operation: no new request while a response is due,
  // and responses only when one is due.
  a_one_outstanding: assert property (@(posedge clk_i) disable iff (!rst_ni)
      mem_req_valid_o |-> !mem_rsp_ready_o)
    else $error("mmu_ptw: second memory operation while one is outstanding");
  a_rsp_expected: assert property (@(posedge clk_i) disable iff (!rst_ni)
      mem_rsp_valid_i |-> mem_rsp_ready_o)
    else $error("mmu_ptw: memory response without an outstanding operation");
  // Result: valid and payload held until accepted.
  a_rsp_stable: assert property (@(posedge clk_i) disable iff (!rst_ni)
      rsp_valid_o && !rsp_ready_i |=> rsp_valid_o
        && $stable(rsp_pa_o) && $stable(rsp_level_o) && $stable(rsp_perm_o)
        && $stable(rsp_fault_o) && $stable(rsp_fault_level_o) && $stable(rsp_pwc_hit_level_o))
    else $error("mmu_ptw: result dropped or changed before ready");
  a_rsp_fault_range: assert property (@(posedge clk_i) disable iff (!rst_ni)
      rsp_valid_o |-> rsp_fault_o < 4'(FaultCount))
    else $error("mmu_ptw: fault code out of range");
  // A successful walk reports a leaf allowed by the format; a fault reports no translation.
  a_rsp_leaf_level: assert property (@(posedge clk_i) disable iff (!rst_ni)
      rsp_valid_o && rsp_fault_o == FaultNone |-> LeafLevels[rsp_level_o])
    else $error("mmu_ptw: leaf at a level the format forbids");
  a_rsp_fault_clean: assert property (@(posedge clk_i) disable iff (!rst_ni)
      rsp_valid_o && rsp_fault_o != FaultNone |-> rsp_pa_o == '0 && rsp_perm_o == '0
        && rsp_level_o == '0)
    else $error("mmu_ptw: faulting walk reports a translation");
  // Levels stay inside the format.
  a_level_range: assert property (@(posedge clk_i) disable iff (!rst_ni)
      state_q != StIdle |-> level_q <= RootLevel && hit_level_q <= RootLevel)
    else $error("mmu_ptw: level out of range");
  // A/D writes only under the hardware-update policy, and only after every read.
  a_ad_policy: assert property (@(posedge clk_i) disable iff (!rst_ni)
      mem_req_valid_o && mem_req_we_o |-> !AdFault && ad_mask_q[wlevel_q])
    else $error("mmu_ptw: unexpected A/D write");
`endif

endmodule
