//go:build !purego

#include "textflag.h"

// func biasActAVX(x *float32, y *float32, n int, bias float32, slope float32)
//
// y[i] = max(z, slope·z) with z = x[i] + bias, for i < n rounded down to 8:
// LeakyReLU for 0 ≤ slope ≤ 1 (slope 1: a plain bias add). The caller does
// the last n mod 8 with the same arithmetic.
TEXT ·biasActAVX(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ n+16(FP), CX
	VBROADCASTSS bias+24(FP), Y14
	VBROADCASTSS slope+28(FP), Y15
	XORQ AX, AX

ba32:
	CMPQ CX, $32
	JLT ba8
	VADDPS (SI)(AX*1), Y14, Y0
	VADDPS 32(SI)(AX*1), Y14, Y1
	VADDPS 64(SI)(AX*1), Y14, Y2
	VADDPS 96(SI)(AX*1), Y14, Y3
	VMULPS Y0, Y15, Y4
	VMULPS Y1, Y15, Y5
	VMULPS Y2, Y15, Y6
	VMULPS Y3, Y15, Y7
	VMAXPS Y4, Y0, Y0
	VMAXPS Y5, Y1, Y1
	VMAXPS Y6, Y2, Y2
	VMAXPS Y7, Y3, Y3
	VMOVUPS Y0, (DI)(AX*1)
	VMOVUPS Y1, 32(DI)(AX*1)
	VMOVUPS Y2, 64(DI)(AX*1)
	VMOVUPS Y3, 96(DI)(AX*1)
	ADDQ $128, AX
	SUBQ $32, CX
	JMP ba32

ba8:
	CMPQ CX, $8
	JLT badone
	VADDPS (SI)(AX*1), Y14, Y0
	VMULPS Y0, Y15, Y4
	VMAXPS Y4, Y0, Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	SUBQ $8, CX
	JMP ba8

badone:
	VZEROUPPER
	RET

// func actGradAVX(y *float32, dy *float32, dx *float32, n int, slope float32)
//
// dx[i] = dy[i]·f with f = 1 where y[i] > 0 (0 < y, an ordered compare) and slope elsewhere, for i < n
// rounded down to 8; the caller does the rest with the same arithmetic.
TEXT ·actGradAVX(SB), NOSPLIT, $0-36
	MOVQ y+0(FP), SI
	MOVQ dy+8(FP), DX
	MOVQ dx+16(FP), DI
	MOVQ n+24(FP), CX
	VBROADCASTSS slope+32(FP), Y15
	MOVL $0x3f800000, AX
	MOVL AX, X14
	VBROADCASTSS X14, Y14
	VXORPS Y13, Y13, Y13
	XORQ AX, AX

ag16:
	CMPQ CX, $16
	JLT ag8
	VCMPPS $0x11, (SI)(AX*1), Y13, Y0
	VCMPPS $0x11, 32(SI)(AX*1), Y13, Y1
	VBLENDVPS Y0, Y14, Y15, Y0
	VBLENDVPS Y1, Y14, Y15, Y1
	VMULPS (DX)(AX*1), Y0, Y0
	VMULPS 32(DX)(AX*1), Y1, Y1
	VMOVUPS Y0, (DI)(AX*1)
	VMOVUPS Y1, 32(DI)(AX*1)
	ADDQ $64, AX
	SUBQ $16, CX
	JMP ag16

ag8:
	CMPQ CX, $8
	JLT agdone
	VCMPPS $0x11, (SI)(AX*1), Y13, Y0
	VBLENDVPS Y0, Y14, Y15, Y0
	VMULPS (DX)(AX*1), Y0, Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	SUBQ $8, CX
	JMP ag8

agdone:
	VZEROUPPER
	RET

// func sum256AVX(v *float32, blocks int) float64
//
// The sum of blocks·256 values as sum does it: each block of 256 in eight
// float32 lanes (lane j adds v[j], v[j+8], ... in order), the block's total
// ((l0+l1) + (l2+l3) + (l4+l5) + (l6+l7), pairs in float32, the rest in
// float64) added to a float64 total, block by block.
TEXT ·sum256AVX(SB), NOSPLIT, $0-24
	MOVQ v+0(FP), SI
	MOVQ blocks+8(FP), CX
	VXORPD X10, X10, X10
	TESTQ CX, CX
	JE s256done

s256block:
	VXORPS Y0, Y0, Y0
	MOVQ $32, DX

s256loop:
	VADDPS (SI), Y0, Y0
	ADDQ $32, SI
	DECQ DX
	JNE s256loop
	// Y0 = l0..l7; pairs: X1 = (l0+l1, l2+l3, ...) and the high half's.
	VEXTRACTF128 $1, Y0, X2
	VHADDPS X0, X0, X1
	VHADDPS X2, X2, X3
	VCVTSS2SD X1, X4, X4
	VMOVSHDUP X1, X5
	VCVTSS2SD X5, X5, X5
	VADDSD X5, X4, X4
	VCVTSS2SD X3, X6, X6
	VADDSD X6, X4, X4
	VMOVSHDUP X3, X7
	VCVTSS2SD X7, X7, X7
	VADDSD X7, X4, X4
	VADDSD X4, X10, X10
	DECQ CX
	JNE s256block

s256done:
	VMOVSD X10, ret+16(FP)
	VZEROUPPER
	RET
