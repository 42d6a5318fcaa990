/* Preprocessed assembly: a macro-generated function. */
#define SCALE 3
	.text
	.globl asm_scale
	.type asm_scale, @function
asm_scale:
	leaq (%rdi,%rdi,2), %rax
	ret
