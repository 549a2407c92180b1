// cosim_ptw_top — co-simulation wrapper around mmu_ptw.
//
// Only purpose: turn scalar parameters (settable with verilator -G) into the
// walker's unpacked-array parameter PwcEntries, so that one SystemVerilog file
// serves every Verilated variant (rtl/cosim/CMakeLists.txt). Ports are passed
// through unchanged (rtl/INTERFACE.md).
module cosim_ptw_top #(
  parameter int unsigned Format   = 0,
  parameter bit          AdFault  = 1'b0,
  parameter int unsigned Mutation = 0,
  parameter int unsigned Pwc1     = 0,  // PwcEntries[0]: table entries of level 1
  parameter int unsigned Pwc2     = 0,
  parameter int unsigned Pwc3     = 0,
  parameter int unsigned Pwc4     = 0,
  // Must equal the harness's simulated memory (run.cpp kPhysBytes, 64 GiB): table pointers
  // outside it fault RESERVED in both walkers (walk.c table_ok).
  parameter logic [63:0] PhysMemBytes = 64'h0000_0010_0000_0000
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        req_valid_i,
  output logic        req_ready_o,
  input  logic [63:0] req_root_i,
  input  logic [63:0] req_va_i,
  input  logic [1:0]  req_type_i,
  input  logic        req_user_i,
  input  logic [15:0] req_asid_i,
  output logic        mem_req_valid_o,
  input  logic        mem_req_ready_i,
  output logic [63:0] mem_req_addr_o,
  output logic        mem_req_we_o,
  output logic [63:0] mem_req_wdata_o,
  input  logic        mem_rsp_valid_i,
  output logic        mem_rsp_ready_o,
  input  logic [63:0] mem_rsp_rdata_i,
  output logic        rsp_valid_o,
  input  logic        rsp_ready_i,
  output logic [63:0] rsp_pa_o,
  output logic [2:0]  rsp_level_o,
  output logic [6:0]  rsp_perm_o,
  output logic [3:0]  rsp_fault_o,
  output logic [2:0]  rsp_fault_level_o,
  output logic [2:0]  rsp_pwc_hit_level_o,
  input  logic        flush_i
);
  localparam int unsigned PwcEntries[4] = '{Pwc1, Pwc2, Pwc3, Pwc4};

  mmu_ptw #(
    .Format      (Format),
    .PhysMemBytes(PhysMemBytes),
    .AdFault     (AdFault),
    .PwcEntries  (PwcEntries),
    .Mutation    (Mutation)
  ) u_ptw (.*);
endmodule
