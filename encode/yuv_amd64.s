//go:build !purego

#include "textflag.h"

// Constants are broadcast once into the local frame, one 32-byte slot each,
// and read from there as memory operands.
#define YR 0(SP)
#define YG 32(SP)
#define YB 64(SP)
#define CBR 96(SP)
#define CBG 128(SP)
#define CBB 160(SP)
#define CRR 192(SP)
#define CRG 224(SP)
#define CRB 256(SP)
#define YOFF 288(SP)
#define COFF 320(SP)
#define QUARTER 352(SP)

// CLAMP limits Y to [0,1] in place; NaN becomes 0 (VMAXPS returns its
// second source, the zero, when either is NaN). Y15 = 0, Y14 = 1.
#define CLAMP(Y) VMAXPS Y15, Y, Y; VMINPS Y14, Y, Y

// LUMA computes ((r·yR + 16.5) + g·yG) + b·yB into D, in the order and
// rounding of the Go code, truncated to int32. T is scratch.
#define LUMA(R, G, B, D, T) \
	VMULPS YR, R, D; \
	VADDPS YOFF, D, D; \
	VMULPS YG, G, T; \
	VADDPS T, D, D; \
	VMULPS YB, B, T; \
	VADDPS T, D, D; \
	VCVTTPS2DQ D, D

// ROW loads 16 pixels of one row, from pixel AX on, from the planes at RP,
// GP and BP, clamps them, stores their 16 luma bytes at
// YP, and leaves the clamped planes in Y0..Y5 (R a,b; G a,b; B a,b).
#define ROW(RP, GP, BP, YP) \
	VMOVUPS (RP)(AX*4), Y0; \
	VMOVUPS 32(RP)(AX*4), Y1; \
	VMOVUPS (GP)(AX*4), Y2; \
	VMOVUPS 32(GP)(AX*4), Y3; \
	VMOVUPS (BP)(AX*4), Y4; \
	VMOVUPS 32(BP)(AX*4), Y5; \
	CLAMP(Y0); CLAMP(Y1); CLAMP(Y2); CLAMP(Y3); CLAMP(Y4); CLAMP(Y5); \
	LUMA(Y0, Y2, Y4, Y6, Y8); \
	LUMA(Y1, Y3, Y5, Y7, Y8); \
	VPACKSSDW Y7, Y6, Y6; \
	VPERMQ $0xD8, Y6, Y6; \
	VEXTRACTI128 $1, Y6, X7; \
	VPACKUSWB X7, X6, X6; \
	VMOVDQU X6, (YP)(AX*1)

// EVENODD sets E and O to the even and odd elements of the 16 values in
// A (first 8) and B (next 8), in order.
#define EVENODD(A, B, E, O) \
	VSHUFPS $0x88, B, A, E; \
	VPERMPD $0xD8, E, E; \
	VSHUFPS $0xDD, B, A, O; \
	VPERMPD $0xD8, O, O

// CHROMA computes ((s·c1 + 128.5) + t·c2) + u·c3, truncated to int32, and
// stores it as 8 bytes at P. D (XD its low half) and T are scratch.
#define CHROMA(S, T2, U2, C1, C2, C3, D, XD, T, P) \
	VMULPS C1, S, D; \
	VADDPS COFF, D, D; \
	VMULPS C2, T2, T; \
	VADDPS T, D, D; \
	VMULPS C3, U2, T; \
	VADDPS T, D, D; \
	VCVTTPS2DQ D, D; \
	VEXTRACTI128 $1, D, X8; \
	VPACKSSDW X8, XD, XD; \
	VPACKUSWB XD, XD, XD; \
	VMOVQ XD, (P)

// func rgbToYUV420AVX2(r0, r1, g0, g1, b0, b1 *float32, y0, y1, u, v *byte, blocks int, coef *[13]float32)
//
// Converts blocks 2x2 blocks (a multiple of 8) of two RGB rows (r0, g0, b0
// and r1, g1, b1) into two luma rows and one row each of Cb and Cr, exactly
// as rgbBlocks does: the same clamping, the same operations in the same
// order, the same truncation. coef holds yR, yG, yB, cbR, cbG, cbB, crR,
// crG, crB, the luma and chroma offsets, 0.25 and 1.
TEXT ·rgbToYUV420AVX2(SB), NOSPLIT, $384-96
	MOVQ coef+88(FP), AX
	VBROADCASTSS 0(AX), Y0
	VMOVUPS Y0, YR
	VBROADCASTSS 4(AX), Y0
	VMOVUPS Y0, YG
	VBROADCASTSS 8(AX), Y0
	VMOVUPS Y0, YB
	VBROADCASTSS 12(AX), Y0
	VMOVUPS Y0, CBR
	VBROADCASTSS 16(AX), Y0
	VMOVUPS Y0, CBG
	VBROADCASTSS 20(AX), Y0
	VMOVUPS Y0, CBB
	VBROADCASTSS 24(AX), Y0
	VMOVUPS Y0, CRR
	VBROADCASTSS 28(AX), Y0
	VMOVUPS Y0, CRG
	VBROADCASTSS 32(AX), Y0
	VMOVUPS Y0, CRB
	VBROADCASTSS 36(AX), Y0
	VMOVUPS Y0, YOFF
	VBROADCASTSS 40(AX), Y0
	VMOVUPS Y0, COFF
	VBROADCASTSS 44(AX), Y0
	VMOVUPS Y0, QUARTER
	VXORPS Y15, Y15, Y15
	VBROADCASTSS 48(AX), Y14

	MOVQ r0+0(FP), SI
	MOVQ r1+8(FP), DI
	MOVQ g0+16(FP), R8
	MOVQ g1+24(FP), R9
	MOVQ b0+32(FP), R10
	MOVQ b1+40(FP), R11
	MOVQ y0+48(FP), R12
	MOVQ y1+56(FP), R13
	MOVQ u+64(FP), DX
	MOVQ v+72(FP), BX
	MOVQ blocks+80(FP), CX
	XORQ AX, AX

loop:
	CMPQ CX, $8
	JLT done
	ROW(SI, R8, R10, R12)
	EVENODD(Y0, Y1, Y6, Y7)
	VADDPS Y7, Y6, Y9
	EVENODD(Y2, Y3, Y6, Y7)
	VADDPS Y7, Y6, Y10
	EVENODD(Y4, Y5, Y6, Y7)
	VADDPS Y7, Y6, Y11
	ROW(DI, R9, R11, R13)
	EVENODD(Y0, Y1, Y6, Y7)
	VADDPS Y6, Y9, Y9
	VADDPS Y7, Y9, Y9
	EVENODD(Y2, Y3, Y6, Y7)
	VADDPS Y6, Y10, Y10
	VADDPS Y7, Y10, Y10
	EVENODD(Y4, Y5, Y6, Y7)
	VADDPS Y6, Y11, Y11
	VADDPS Y7, Y11, Y11
	VMULPS QUARTER, Y9, Y9
	VMULPS QUARTER, Y10, Y10
	VMULPS QUARTER, Y11, Y11
	CHROMA(Y9, Y10, Y11, CBR, CBG, CBB, Y6, X6, Y7, DX)
	CHROMA(Y9, Y10, Y11, CRR, CRG, CRB, Y6, X6, Y7, BX)
	ADDQ $16, AX
	ADDQ $8, DX
	ADDQ $8, BX
	SUBQ $8, CX
	JMP loop

done:
	VZEROUPPER
	RET
