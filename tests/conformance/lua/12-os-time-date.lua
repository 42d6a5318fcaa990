-- conformance: env="TZ=UTC0"
-- os.time with explicit tables, os.date with FIXED times (UTC and local time in TZ=UTC0), os.difftime, os.getenv
local t = os.time({ year = 2024, month = 2, day = 29, hour = 12, min = 30, sec = 15 })
print(t, os.date("!%Y-%m-%d %H:%M:%S", t))
print(os.time({ year = 1970, month = 1, day = 1, hour = 0 }), os.time({ year = 2000, month = 1, day = 1, hour = 0 }))
print(os.time({ year = 2023, month = 13, day = 1, hour = 0 }), os.time({ year = 2023, month = 3, day = 0, hour = 0 }))
for _, ts in ipairs({ 0, 86399, 951782400, 1234567890, 1700000000, 2147483648, 4102444800 }) do
  print(ts, os.date("!%Y-%m-%d %H:%M:%S %a %b %j %A %B %p", ts), os.date("%Y-%m-%dT%H:%M:%S", ts))
end
local d = os.date("!*t", 1234567890)
local keys = {}
for k in pairs(d) do keys[#keys + 1] = k end
table.sort(keys)
for _, k in ipairs(keys) do io.write(k, "=", tostring(d[k]), " ") end
print()
local l = os.date("*t", 1700000000)
print(l.year, l.month, l.day, l.hour, l.min, l.sec, l.wday, l.yday, l.isdst)
print(os.time(l) == 1700000000, os.difftime(1700000000, 1600000000))
print(os.date("!%c", 0), "|", os.date("!%x %X", 0))
print(os.getenv("TZ"), os.getenv("SURELY_NOT_SET_ANYWHERE"))
print(pcall(os.date, "%Ez", 0))
print(type(os.time()), type(os.clock()), math.type(os.time()))
