/*
 * embed.S — a tar archive as a read-only section of the program, found by
 * ZRT through these two symbols and mounted at start, mapped and not
 * copied (runtime/zrt/vfs.c, zrt_image_mount). ARCHIVE is the tar's path.
 * Page-aligned: each file's bytes are then at 512-byte offsets in pages
 * the loader maps from the image file, shared by every cell.
 */
	.section .rodata.zvm_embedded_tar, "a"
	.balign 4096
	.globl __zvm_embedded_tar_start
__zvm_embedded_tar_start:
	.incbin ARCHIVE
	.globl __zvm_embedded_tar_end
__zvm_embedded_tar_end:
	.byte 0
