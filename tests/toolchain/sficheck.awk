# sficheck.awk — a rough, independent look at zvm-cc's output without the
# validator: reads `objdump -d --insn-width=15` of an object and prints one
# line per breach of the conventions in docs/sfi.md §4:
#   bundle-crossing   an instruction crosses a 32-byte boundary
#   plain-return      ret/lret other than the masked return
#   unmasked          jmp/call *%rX not directly after `and $-32,%eX` in its bundle
#   indirect-memory   jmp/call through memory
#   address-64        a memory operand with a 64-bit base/index other than
#                     (%rsp)/(%rip) alone, or a bare 64-bit absolute address
#   segment           an %fs/%gs operand
#   call-return       the code after a call does not resume at a bundle start
#   function-align    a symbol (function) not at a bundle start
# POSIX awk (mawk), no gawk extensions. Exit status 1 if any, else 0; the last line counts instructions checked.
function fail(rule, why) {
	printf "%s: %s+0x%x: %s: %s\n", FILENAME, sect, addr, rule, why
	bad++
}
function hex(s,    i, v) { v = 0; s = tolower(s); for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
function is_nop(m) { return m ~ /^(nop|xchg %ax,%ax|data16|cs nop|ds nop)/ }
BEGIN { bad = 0; count = 0 }
/^Disassembly of section/ { sect = $4; sub(/:$/, "", sect); pend = -1; prev_and = ""; next }
/^[0-9a-f]+ <.*>:$/ {
	a = hex($1)
	if (a % 32 != 0) { addr = a; fail("function-align", $2) }
	next
}
/^ *[0-9a-f]+:\t/ {
	split($0, f, "\t")
	gsub(/[ :]/, "", f[1])
	addr = hex(f[1])
	nbytes = split(f[2], bytes, " ")
	asm = f[3]
	sub(/ +#.*$/, "", asm)
	gsub(/ +/, " ", asm)
	if (nbytes == 0 || asm == "") next  # a continuation line
	count++
	if (int(addr / 32) != int((addr + nbytes - 1) / 32))
		fail("bundle-crossing", asm)
	# code after a call: only nops until the next bundle start
	if (pend >= 0) {
		if (addr >= pend) pend = -1
		else if (!is_nop(asm)) fail("call-return", asm)
	}
	m = asm; sub(/ .*/, "", m)
	ops = asm; sub(/^[^ ]+ */, "", ops)
	if (m == "addr32" || m ~ /^rep/ || m == "lock") { m2 = ops; sub(/ .*/, "", m2) } else m2 = m
	# a ret only as the masked return: right after `and $-32,%r11d` and
	# `mov %r11,(%rsp)`, all three in one bundle
	if (m ~ /^l?ret/ || m2 ~ /^l?ret/) {
		if (!(asm ~ /^ret[q]?$/ && prev_store != "" && int(prev_store / 32) == int(addr / 32) && prev2_and == "r11d"))
			fail("plain-return", asm)
	}
	prev2_and = (asm == "mov %r11,(%rsp)" && prev_and != "" && int(prev_addr / 32) == int(addr / 32)) ? prev_and : ""
	prev_store = (asm == "mov %r11,(%rsp)") ? addr : ""
	if ((m ~ /^(jmp|call)/) && ops ~ /^\*/) {
		if (ops !~ /^\*%r[a-z0-9]+$/) fail("indirect-memory", asm)
		else {
			r = substr(ops, 3)
			r32 = (r ~ /^r[0-9]+$/) ? r "d" : "e" substr(r, 2)
			if (prev_and != r32 || int(prev_addr / 32) != int(addr / 32)) fail("unmasked", asm)
		}
	}
	if (m ~ /^call/) pend = int((addr + nbytes + 31) / 32) * 32
	if (asm ~ /%[fg]s:/) fail("segment", asm)
	if (m2 !~ /^(lea|nop)/ && !is_nop(asm)) {
		s = ops
		while (match(s, /\([^)]*\)/)) {
			g = substr(s, RSTART, RLENGTH)
			s = substr(s, RSTART + RLENGTH)
			if (g ~ /%r(ax|bx|cx|dx|si|di|bp|sp|ip|[0-9]+)[,)]/ && g != "(%rsp)" && g != "(%rip)")
				fail("address-64", asm)
		}
		if (m !~ /^(j|call|loop)/ && m != "addr32" && ops ~ /(^|,)(0x)?[0-9a-f]+(,|$)/ && ops !~ /\(/)
			fail("address-64", asm)
	}
	prev_and = ""
	if (m == "and" && ops ~ /^\$0xffffffe0,%/) { prev_and = substr(ops, 14); prev_addr = addr }
}
END { print "checked " count " instructions"; exit bad ? 1 : 0 }
