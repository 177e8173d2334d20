//go:build amd64 && gc && !purego

#include "textflag.h"

// classifyAVX2 classifies a 256-byte window 32 bytes (one YMM register) at a time.
// For each 32 bytes in Y0:
//
// ntok and nval: a nibble lookup. T = lo[b & 0x0F] & hi[b >> 4], where lo and hi
// are the 16-byte tables below (VPSHUFB, one per 128-bit lane). VPSHUFB yields 0
// for an index with bit 7 set, so lo is indexed by the raw byte and T is 0 for
// every byte >= 0x80: not a tchar, and allowed in a value. Each bit of T is one
// class, a set of (high nibble, low nibble) pairs that is a product of a row set
// and a column set:
//
//	bit 0  rows 0-1, columns != 9     nval: 0x00-0x08, 0x0A-0x1F
//	bit 1  row 1, column 9            nval: 0x19
//	bit 2  row 7, column F            nval: 0x7F
//	bit 3  row 2, its tchar columns   tchar: ! # $ % & ' * + - .
//	bit 4  rows 3 and 6, columns 0-9  tchar: 0-9 ` a-i
//	bit 5  rows 4 and 6, columns 1-F  tchar: A-O a-o
//	bit 6  row 5, columns 0-A E F     tchar: P-Z ^ _
//	bit 7  row 7, columns 0-A C E     tchar: p-z | ~
//
// so ntok = (T & 0xF8) == 0 and nval = (T & 0x07) > 0 (signed, the values are 1, 2, 4).
//
// ntgt: the good bytes 0x21-0x7E are moved by a wrapping add of 0x5F to
// 0x80-0xDD, the most negative signed bytes, and every other byte lands in
// 0xDE-0x7F, so (b + 0x5F) > -35 (signed) is one add and one compare; a
// compare with "%" and an OR add the escape byte, which the scalar code checks.
//
// VPMOVMSKB turns each compare into 32 mask bits; two make a mask word.
// That is 17 vector instructions per 32 bytes, all with constants held in
// Y7-Y15 for the whole call, fully unrolled over the window. Measured
// (BenchmarkClassify, median of 5, before the "%" compare was added): ~18 ns
// per 256-byte window, ~14 GB/s, about 14 times the portable path.

// Low-nibble table: bits of T that each column (b & 0x0F) may have.
DATA ·scanLo<>+0x00(SB)/8, $0xf9f9f9f9f9f1f9d1
DATA ·scanLo<>+0x08(SB)/8, $0x65e929a129e9f2f1
DATA ·scanLo<>+0x10(SB)/8, $0xf9f9f9f9f9f1f9d1
DATA ·scanLo<>+0x18(SB)/8, $0x65e929a129e9f2f1
GLOBL ·scanLo<>(SB), (NOPTR+RODATA), $32

// High-nibble table: bits of T that each row (b >> 4) may have; rows 8-F have none.
DATA ·scanHi<>+0x00(SB)/8, $0x8430402010080301
DATA ·scanHi<>+0x08(SB)/8, $0x0000000000000000
DATA ·scanHi<>+0x10(SB)/8, $0x8430402010080301
DATA ·scanHi<>+0x18(SB)/8, $0x0000000000000000
GLOBL ·scanHi<>(SB), (NOPTR+RODATA), $32

// Byte constants, broadcast by VPBROADCASTB.
DATA ·scanConst<>+0x00(SB)/1, $0x0f // nibble mask
DATA ·scanConst<>+0x01(SB)/1, $0x07 // nval bits of T
DATA ·scanConst<>+0x02(SB)/1, $0xf8 // tchar bits of T
DATA ·scanConst<>+0x03(SB)/1, $0x5f // moves 0x21-0x7E to 0x80-0xDD
DATA ·scanConst<>+0x04(SB)/1, $0xdd // -35: last good target byte after the move
DATA ·scanConst<>+0x05(SB)/1, $0x25 // "%"
GLOBL ·scanConst<>(SB), (NOPTR+RODATA), $8

// CLASSIFY32 classifies the 32 bytes at src into 32-bit masks in the
// general registers tok, val and tgt. It uses Y0-Y3 and the constants:
// Y7 = "%", Y8 = 0xDD, Y9 = 0x5F, Y10 = 0, Y11 = 0xF8, Y12 = 0x07, Y13 = hi, Y14 = lo, Y15 = 0x0F.
#define CLASSIFY32(src, tok, val, tgt) \
	VMOVDQU   src, Y0;        \ // Y0 = b
	VPSRLW    $4, Y0, Y1;     \
	VPAND     Y15, Y1, Y1;    \ // Y1 = b >> 4
	VPSHUFB   Y0, Y14, Y2;    \ // Y2 = lo[b & 0x0F], 0 if b >= 0x80
	VPSHUFB   Y1, Y13, Y1;    \ // Y1 = hi[b >> 4]
	VPAND     Y2, Y1, Y1;     \ // Y1 = T
	VPAND     Y12, Y1, Y2;    \
	VPCMPGTB  Y10, Y2, Y2;    \ // Y2 = nval
	VPAND     Y11, Y1, Y1;    \
	VPCMPEQB  Y10, Y1, Y1;    \ // Y1 = ntok
	VPCMPEQB  Y7, Y0, Y3;     \ // Y3 = b == '%'
	VPADDB    Y9, Y0, Y0;     \
	VPCMPGTB  Y8, Y0, Y0;     \
	VPOR      Y3, Y0, Y0;     \ // Y0 = ntgt
	VPMOVMSKB Y1, tok;        \
	VPMOVMSKB Y2, val;        \
	VPMOVMSKB Y0, tgt

// CLASSIFY64 classifies the 64 bytes at off(SI) into word i of each class of
// the masks at DI (ntok at 0, nval at 32, ntgt at 64).
#define CLASSIFY64(off, i) \
	CLASSIFY32(off(SI), AX, BX, CX);    \
	CLASSIFY32(off+32(SI), DX, R8, R9); \
	SHLQ $32, DX;                       \
	SHLQ $32, R8;                       \
	SHLQ $32, R9;                       \
	ORQ  DX, AX;                        \
	ORQ  R8, BX;                        \
	ORQ  R9, CX;                        \
	MOVQ AX, (i*8)(DI);                 \
	MOVQ BX, (32+i*8)(DI);              \
	MOVQ CX, (64+i*8)(DI)

// func classifyAVX2(m *masks, src *byte, words int)
// Requires: AVX2; 1 <= words <= 4.
TEXT ·classifyAVX2(SB), NOSPLIT, $0-24
	MOVQ m+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ words+16(FP), R10

	VPBROADCASTB ·scanConst<>+0x05(SB), Y7
	VPBROADCASTB ·scanConst<>+0x04(SB), Y8
	VPBROADCASTB ·scanConst<>+0x03(SB), Y9
	VPXOR        Y10, Y10, Y10
	VPBROADCASTB ·scanConst<>+0x02(SB), Y11
	VPBROADCASTB ·scanConst<>+0x01(SB), Y12
	VMOVDQU      ·scanHi<>(SB), Y13
	VMOVDQU      ·scanLo<>(SB), Y14
	VPBROADCASTB ·scanConst<>+0x00(SB), Y15

	CLASSIFY64(0, 0)
	CMPQ R10, $1
	JEQ  done
	CLASSIFY64(64, 1)
	CMPQ R10, $2
	JEQ  done
	CLASSIFY64(128, 2)
	CMPQ R10, $3
	JEQ  done
	CLASSIFY64(192, 3)

done:
	VZEROUPPER
	RET
