-- Recursion-heavy: naive Fibonacci and Ackermann (function calls, integer
-- arithmetic, the VM's call/return path).
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
local function ack(m, n)
	if m == 0 then return n + 1 end
	if n == 0 then return ack(m - 1, 1) end
	return ack(m - 1, ack(m, n - 1))
end
local n = tonumber(arg and arg[1]) or 32
print("fib", n, fib(n))
print("ack", 2, 2000, ack(2, 2000))
local s = 0
for i = 1, 300 do s = s + ack(2, i) end
print("ack sum", s)
