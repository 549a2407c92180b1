// mmu_ptw_pkg — the C model's paging vocabulary in SystemVerilog.
//
// Mirrors model/include/mmu/types.h (levels, permission bits, fault kinds),
// model/include/mmu/pt.h (format ids, entry kinds) and the format table of
// model/src/pt/format_{x86,riscv,arm}.c (levels, VA bits, leaf levels,
// canonical rule, PTE decode / set_ad / encode). design.md §2.2: formats are
// data — the walker (mmu_ptw) is written once against these functions, and the
// lint/simulation tools fold them to constants for the selected Format.
//
// Levels are numbered from the leaf as in the C model: level 0 = 4K leaves,
// level Levels-1 = root. Every value here that has a C twin carries the C
// value (the co-simulation compares them numerically).
package mmu_ptw_pkg;

  // ---- geometry (types.h) -------------------------------------------------
  localparam int unsigned MaxLevels  = 5;   // MMU_PT_MAX_LEVELS
  localparam int unsigned LevelBits  = 9;   // MMU_LEVEL_BITS
  localparam int unsigned PageShift  = 12;  // MMU_BASE_PAGE_SHIFT
  localparam int unsigned PteBytes   = 8;   // MMU_PTE_BYTES
  localparam int unsigned FrameBytes = 4096;  // MMU_FRAME_SIZE (one table)
  localparam int unsigned LevelW     = 3;   // width of a level number
  localparam int unsigned PermWidth  = 7;   // R W X U G A D
  localparam int unsigned RwxuW      = 4;   // the hierarchically restricted part
  localparam int unsigned FaultW     = 4;
  localparam int unsigned AsidW      = 16;
  localparam int unsigned IdxW       = LevelBits;

  typedef logic [LevelW-1:0]    level_t;
  typedef logic [PermWidth-1:0] perm_t;

  // ---- access type (mmu_access_type) --------------------------------------
  typedef enum logic [1:0] {
    AccLoad   = 2'd0,  // MMU_ACC_LOAD
    AccStore  = 2'd1,  // MMU_ACC_STORE
    AccIfetch = 2'd2   // MMU_ACC_IFETCH
  } acc_type_e;

  // ---- permission / state bits (MMU_PERM_*, MMU_PTE_A/D) ------------------
  localparam perm_t PermR = 7'h01;  // MMU_PERM_R
  localparam perm_t PermW = 7'h02;  // MMU_PERM_W
  localparam perm_t PermX = 7'h04;  // MMU_PERM_X
  localparam perm_t PermU = 7'h08;  // MMU_PERM_U
  localparam perm_t PermG = 7'h10;  // MMU_PERM_G
  localparam perm_t PteA  = 7'h20;  // MMU_PTE_A
  localparam perm_t PteD  = 7'h40;  // MMU_PTE_D
  localparam perm_t PermRwxu = PermR | PermW | PermX | PermU;  // PT_PERM_RWXU
  // Bit positions, for single-bit selects.
  localparam int unsigned PermRBit = 0;
  localparam int unsigned PermWBit = 1;
  localparam int unsigned PermXBit = 2;
  localparam int unsigned PermUBit = 3;
  localparam int unsigned PteABit  = 5;
  localparam int unsigned PteDBit  = 6;

  // ---- walk outcome (mmu_fault; values are stable) ------------------------
  typedef enum logic [FaultW-1:0] {
    FaultNone         = 4'd0,
    FaultNotPresent   = 4'd1,
    FaultProtUser     = 4'd2,
    FaultProtRead     = 4'd3,
    FaultProtWrite    = 4'd4,
    FaultProtExec     = 4'd5,
    FaultReserved     = 4'd6,
    FaultMisaligned   = 4'd7,
    FaultNoncanonical = 4'd8,
    FaultAccessed     = 4'd9,
    FaultDirty        = 4'd10
  } fault_e;
  localparam int unsigned FaultCount = 11;  // MMU_FAULT_COUNT

  // ---- formats (mmu_pt_format_id) -----------------------------------------
  localparam int unsigned FmtX86_64_4L   = 0;
  localparam int unsigned FmtX86_64_5L   = 1;
  localparam int unsigned FmtSv39        = 2;
  localparam int unsigned FmtSv48        = 3;
  localparam int unsigned FmtSv57        = 4;
  localparam int unsigned FmtArmv8_4K48  = 5;
  localparam int unsigned FmtCount       = 6;

  // ---- what one entry means (pt_entry_kind) -------------------------------
  typedef enum logic [2:0] {
    EntryInvalid    = 3'd0,  // PT_ENTRY_INVALID
    EntryTable      = 3'd1,  // PT_ENTRY_TABLE
    EntryLeaf       = 3'd2,  // PT_ENTRY_LEAF
    EntryReserved   = 3'd3,  // PT_ENTRY_RESERVED
    EntryMisaligned = 3'd4   // PT_ENTRY_MISALIGNED
  } entry_kind_e;

  // pt_decoded
  typedef struct packed {
    entry_kind_e kind;
    logic [63:0] pa;    // next table (TABLE) or page base (LEAF), else 0
    perm_t       perm;  // MMU_PERM_* | MMU_PTE_A | MMU_PTE_D (see pt.h)
  } pte_dec_t;

  // =========================================================================
  // The format table (pt_format fields). Each function is constant for a
  // constant fmt argument.
  // =========================================================================
  function automatic bit fmt_supported(int unsigned fmt);
    return fmt < FmtCount;
  endfunction

  function automatic bit fmt_is_x86(int unsigned fmt);
    return fmt == FmtX86_64_4L || fmt == FmtX86_64_5L;
  endfunction

  function automatic bit fmt_is_riscv(int unsigned fmt);
    return fmt == FmtSv39 || fmt == FmtSv48 || fmt == FmtSv57;
  endfunction

  function automatic bit fmt_is_arm(int unsigned fmt);
    return fmt == FmtArmv8_4K48;
  endfunction

  // pt_format.levels
  function automatic int unsigned fmt_levels(int unsigned fmt);
    case (fmt)
      FmtX86_64_4L:  return 4;
      FmtX86_64_5L:  return 5;
      FmtSv39:       return 3;
      FmtSv48:       return 4;
      FmtSv57:       return 5;
      FmtArmv8_4K48: return 4;
      default:       return 4;
    endcase
  endfunction

  // pt_format.va_bits
  function automatic int unsigned fmt_va_bits(int unsigned fmt);
    case (fmt)
      FmtX86_64_4L:  return 48;
      FmtX86_64_5L:  return 57;
      FmtSv39:       return 39;
      FmtSv48:       return 48;
      FmtSv57:       return 57;
      FmtArmv8_4K48: return 48;
      default:       return 48;
    endcase
  endfunction

  // pt_format.pa_bits
  function automatic int unsigned fmt_pa_bits(int unsigned fmt);
    if (fmt_is_x86(fmt)) return 52;
    if (fmt_is_riscv(fmt)) return 56;
    return 48;
  endfunction

  // pt_format.leaf_levels: bit k set = a leaf is allowed at level k.
  function automatic logic [MaxLevels-1:0] fmt_leaf_levels(int unsigned fmt);
    if (fmt_is_riscv(fmt)) return MaxLevels'((1 << fmt_levels(fmt)) - 1);  // every level
    return MaxLevels'(5'b00111);  // x86 and ARM: 4K, 2M, 1G
  endfunction

  // pt_format.table_accessed: A is set in every table entry used (x86).
  function automatic bit fmt_table_accessed(int unsigned fmt);
    return fmt_is_x86(fmt);
  endfunction

  // pt_format.hier_perms: table entries restrict R/W, U/S, XD (x86).
  function automatic bit fmt_hier_perms(int unsigned fmt);
    return fmt_is_x86(fmt);
  endfunction

  // pt_format.canonical: x86 / RISC-V bits 63:va_bits-1 all equal (sign
  // extension); ARM TTBR0: bits 63:48 zero.
  function automatic logic fmt_canonical(int unsigned fmt, logic [63:0] va);
    logic [63:0] upper_mask;
    if (fmt_is_arm(fmt)) return va[63:48] == '0;
    upper_mask = ~64'd0 << (fmt_va_bits(fmt) - 1);
    return (va & upper_mask) == '0 || (va & upper_mask) == upper_mask;
  endfunction

  // ---- geometry helpers (types.h) -----------------------------------------
  function automatic int unsigned level_shift(level_t level);  // mmu_level_shift
    return PageShift + LevelBits * int'(level);
  endfunction

  function automatic logic [63:0] level_size(level_t level);  // mmu_level_size
    return 64'd1 << level_shift(level);
  endfunction

  function automatic logic [IdxW-1:0] pt_index(logic [63:0] va, level_t level);  // mmu_pt_index
    return IdxW'(va >> level_shift(level));
  endfunction

  // =========================================================================
  // x86-64 codec (format_x86.c)
  // =========================================================================
  localparam logic [63:0] X86P      = 64'd1 << 0;
  localparam logic [63:0] X86Rw     = 64'd1 << 1;
  localparam logic [63:0] X86Us     = 64'd1 << 2;
  localparam logic [63:0] X86A      = 64'd1 << 5;
  localparam logic [63:0] X86D      = 64'd1 << 6;
  localparam logic [63:0] X86Ps     = 64'd1 << 7;
  localparam logic [63:0] X86G      = 64'd1 << 8;
  localparam logic [63:0] X86Xd     = 64'd1 << 63;
  localparam logic [63:0] X86AddrMask = 64'h000F_FFFF_FFFF_F000;  // 51:12

  // Reserved low address bits of a large leaf: (size-1) & ~0x1FFF.
  function automatic logic [63:0] x86_large_rsvd(level_t level);
    return (level_size(level) - 64'd1) & ~64'h1FFF;
  endfunction

  function automatic perm_t x86_perm(logic [63:0] v);
    perm_t p;
    p = PermR;  // present implies readable
    if ((v & X86Rw) != '0) p |= PermW;
    if ((v & X86Us) != '0) p |= PermU;
    if ((v & X86Xd) == '0) p |= PermX;
    if ((v & X86A) != '0)  p |= PteA;
    return p;
  endfunction

  function automatic pte_dec_t x86_decode(logic [63:0] v, level_t level);
    pte_dec_t d;
    d = '{kind: EntryInvalid, pa: '0, perm: '0};
    if ((v & X86P) == '0) return d;
    if (level == 0) begin  // bit 7 is PAT: a present PTE is always a 4K leaf
      d.kind = EntryLeaf;
      d.pa   = v & X86AddrMask;
    end else if ((v & X86Ps) != '0) begin
      if (level > 2 || (v & x86_large_rsvd(level)) != '0) begin
        d.kind = EntryReserved;  // PS in PML4E/PML5E, or reserved low address bits
        return d;
      end
      d.kind = EntryLeaf;
      d.pa   = v & X86AddrMask & ~(level_size(level) - 64'd1);
    end else begin
      d.kind = EntryTable;
      d.pa   = v & X86AddrMask;
      d.perm = x86_perm(v);  // hierarchical restriction: R/W, U/S, XD (and A)
      return d;
    end
    d.perm = x86_perm(v);
    if ((v & X86G) != '0) d.perm |= PermG;
    if ((v & X86D) != '0) d.perm |= PteD;
    return d;
  endfunction

  function automatic logic [63:0] x86_set_ad(logic [63:0] v, logic set_d);
    return v | X86A | (set_d ? X86D : 64'd0);
  endfunction

  function automatic logic [63:0] x86_make_table(logic [63:0] table_pa);
    return (table_pa & X86AddrMask) | X86P | X86Rw | X86Us;
  endfunction

  function automatic logic [63:0] x86_make_leaf(logic [63:0] page_pa, level_t level, perm_t perm);
    logic [63:0] v;
    v = (page_pa & X86AddrMask) | X86P;
    if (perm[PermWBit])   v |= X86Rw;
    if (perm[PermUBit])   v |= X86Us;
    if (perm[4])          v |= X86G;
    if (perm[PteABit])    v |= X86A;
    if (perm[PteDBit])    v |= X86D;
    if (!perm[PermXBit])  v |= X86Xd;
    if (level > 0)        v |= X86Ps;
    return v;
  endfunction

  // =========================================================================
  // RISC-V Sv39/48/57 codec (format_riscv.c)
  // =========================================================================
  localparam logic [63:0] RvV = 64'd1 << 0;
  localparam logic [63:0] RvR = 64'd1 << 1;
  localparam logic [63:0] RvW = 64'd1 << 2;
  localparam logic [63:0] RvX = 64'd1 << 3;
  localparam logic [63:0] RvU = 64'd1 << 4;
  localparam logic [63:0] RvG = 64'd1 << 5;
  localparam logic [63:0] RvA = 64'd1 << 6;
  localparam logic [63:0] RvD = 64'd1 << 7;
  localparam int unsigned RvPpnShift = 10;
  localparam logic [63:0] RvPpnMask  = 64'h003F_FFFF_FFFF_FC00;  // 53:10
  localparam logic [63:0] RvHighRsvd = 64'hFFC0_0000_0000_0000;  // 63:54: N, PBMT, reserved

  function automatic pte_dec_t rv_decode(logic [63:0] v, level_t level);
    pte_dec_t d;
    logic [63:0] ppn;
    d = '{kind: EntryInvalid, pa: '0, perm: '0};
    if ((v & RvV) == '0) return d;
    if ((v & RvHighRsvd) != '0 || ((v & RvW) != '0 && (v & RvR) == '0)) begin
      d.kind = EntryReserved;  // reserved bits / PBMT / N, or W without R
      return d;
    end
    ppn = (v & RvPpnMask) >> RvPpnShift;
    if ((v & (RvR | RvX)) != '0) begin
      if ((ppn & ((64'd1 << (LevelBits * int'(level))) - 64'd1)) != '0) begin
        d.kind = EntryMisaligned;  // Sv39 step 6: misaligned superpage
        return d;
      end
      d.kind = EntryLeaf;
      d.pa   = ppn << PageShift;
      if ((v & RvR) != '0) d.perm |= PermR;
      if ((v & RvW) != '0) d.perm |= PermW;
      if ((v & RvX) != '0) d.perm |= PermX;
      if ((v & RvU) != '0) d.perm |= PermU;
      if ((v & RvG) != '0) d.perm |= PermG;
      if ((v & RvA) != '0) d.perm |= PteA;
      if ((v & RvD) != '0) d.perm |= PteD;
      return d;
    end
    if ((v & (RvA | RvD | RvU)) != '0 || level == 0) begin
      d.kind = EntryReserved;  // A/D/U reserved in a non-leaf; non-leaf at level 0
      return d;
    end
    d.kind = EntryTable;
    d.pa   = ppn << PageShift;
    d.perm = PermRwxu;
    return d;
  endfunction

  function automatic logic [63:0] rv_set_ad(logic [63:0] v, logic set_d);
    return v | RvA | (set_d ? RvD : 64'd0);
  endfunction

  function automatic logic [63:0] rv_make_table(logic [63:0] table_pa);
    return ((table_pa >> PageShift) << RvPpnShift) | RvV;
  endfunction

  function automatic logic [63:0] rv_make_leaf(logic [63:0] page_pa, perm_t perm);
    logic [63:0] v;
    v = ((page_pa >> PageShift) << RvPpnShift) | RvV;
    if (perm[PermRBit]) v |= RvR;
    if (perm[PermWBit]) v |= RvW;
    if (perm[PermXBit]) v |= RvX;
    if (perm[PermUBit]) v |= RvU;
    if (perm[4])        v |= RvG;
    if (perm[PteABit])  v |= RvA;
    if (perm[PteDBit])  v |= RvD;
    return v;
  endfunction

  // =========================================================================
  // ARMv8-A 4K granule, 48-bit VA codec (format_arm.c)
  // =========================================================================
  localparam logic [63:0] ArmValid   = 64'd1 << 0;
  localparam logic [63:0] ArmType    = 64'd1 << 1;   // 1: table/page, 0: block
  localparam logic [63:0] ArmAp1     = 64'd1 << 6;   // EL0 access
  localparam logic [63:0] ArmAp2     = 64'd1 << 7;   // read-only
  localparam logic [63:0] ArmShInner = 64'd3 << 8;
  localparam logic [63:0] ArmAf      = 64'd1 << 10;
  localparam logic [63:0] ArmNg      = 64'd1 << 11;
  localparam logic [63:0] ArmDbm     = 64'd1 << 51;
  localparam logic [63:0] ArmPxn     = 64'd1 << 53;
  localparam logic [63:0] ArmUxn     = 64'd1 << 54;
  localparam logic [63:0] ArmSwDirty = 64'd1 << 55;
  localparam logic [63:0] ArmOaMask  = 64'h0000_FFFF_FFFF_F000;  // 47:12
  localparam logic [63:0] ArmOaRes0  = 64'h0007_0000_0000_0000;  // 50:48

  function automatic pte_dec_t arm_decode(logic [63:0] v, level_t level);
    pte_dec_t d;
    logic        is_type, user;
    logic [63:0] oa;
    perm_t       p;
    d = '{kind: EntryInvalid, pa: '0, perm: '0};
    if ((v & ArmValid) == '0) return d;
    is_type = (v & ArmType) != '0;
    if ((v & ArmOaRes0) != '0) begin
      d.kind = EntryReserved;
      return d;
    end
    if (is_type && level > 0) begin  // table descriptor at L0-L2
      d.kind = EntryTable;
      d.pa   = v & ArmOaMask;
      d.perm = PermRwxu;
      return d;
    end
    if (!is_type && (level == 0 || level > 2)) begin  // block at L3 or L0
      d.kind = EntryReserved;
      return d;
    end
    oa = v & ArmOaMask;
    if ((oa & (level_size(level) - 64'd1)) != '0) begin  // block OA bits below the size: RES0
      d.kind = EntryReserved;
      return d;
    end
    d.kind = EntryLeaf;
    d.pa   = oa;
    p      = PermR;
    user   = (v & ArmAp1) != '0;
    if (user) p |= PermU;
    if ((v & ArmAp2) == '0 || (v & ArmDbm) != '0)     p |= PermW;
    if ((v & ArmAp2) == '0 || (v & ArmSwDirty) != '0) p |= PteD;
    if ((v & (user ? ArmUxn : ArmPxn)) == '0)        p |= PermX;
    if ((v & ArmAf) != '0)                            p |= PteA;
    if ((v & ArmNg) == '0)                            p |= PermG;
    d.perm = p;
    return d;
  endfunction

  function automatic logic [63:0] arm_set_ad(logic [63:0] pte, logic set_d);
    logic [63:0] v;
    v = pte | ArmAf;
    if (set_d) begin
      if ((v & ArmDbm) != '0) v &= ~ArmAp2;  // writable-clean -> writable
      else if ((v & ArmAp2) != '0) v |= ArmSwDirty;
    end
    return v;
  endfunction

  function automatic logic [63:0] arm_make_table(logic [63:0] table_pa);
    return (table_pa & ArmOaMask) | ArmType | ArmValid;
  endfunction

  function automatic logic [63:0] arm_make_leaf(logic [63:0] page_pa, level_t level, perm_t perm);
    logic [63:0] v;
    v = (page_pa & ArmOaMask) | ArmValid | ArmShInner;
    if (level == 0) v |= ArmType;
    if (perm[PermUBit]) v |= ArmAp1;
    if (perm[PermWBit]) begin
      v |= ArmDbm;
      if (!perm[PteDBit]) v |= ArmAp2;
    end else begin
      v |= ArmAp2;
      if (perm[PteDBit]) v |= ArmSwDirty;
    end
    if (perm[PermXBit]) begin
      if (perm[PermUBit]) v |= ArmPxn;
    end else begin
      v |= ArmUxn | ArmPxn;
    end
    if (perm[PteABit]) v |= ArmAf;
    if (!perm[4])      v |= ArmNg;
    return v;
  endfunction

  // =========================================================================
  // Format dispatch (pt_format.decode / set_ad / make_table / make_leaf)
  // =========================================================================
  function automatic pte_dec_t pte_decode(int unsigned fmt, logic [63:0] v, level_t level);
    if (fmt_is_x86(fmt)) return x86_decode(v, level);
    if (fmt_is_riscv(fmt)) return rv_decode(v, level);
    return arm_decode(v, level);
  endfunction

  // The PTE as the hardware A/D update writes it: A set, and D if set_d.
  function automatic logic [63:0] pte_set_ad(int unsigned fmt, logic [63:0] v, logic set_d);
    if (fmt_is_x86(fmt)) return x86_set_ad(v, set_d);
    if (fmt_is_riscv(fmt)) return rv_set_ad(v, set_d);
    return arm_set_ad(v, set_d);
  endfunction

  // Encoders, for testbenches that build tables in SystemVerilog.
  function automatic logic [63:0] pte_make_table(int unsigned fmt, logic [63:0] table_pa);
    if (fmt_is_x86(fmt)) return x86_make_table(table_pa);
    if (fmt_is_riscv(fmt)) return rv_make_table(table_pa);
    return arm_make_table(table_pa);
  endfunction

  function automatic logic [63:0] pte_make_leaf(int unsigned fmt, logic [63:0] page_pa,
                                                level_t level, perm_t perm);
    if (fmt_is_x86(fmt)) return x86_make_leaf(page_pa, level, perm);
    if (fmt_is_riscv(fmt)) return rv_make_leaf(page_pa, perm);
    return arm_make_leaf(page_pa, level, perm);
  endfunction

endpackage
