-- Exercise of the Lua interpreter whose output must match a native run.
-- Reads data.txt from the current folder: the image's rootfs in the guest.
local root = arg[1] or "."

-- strings and formatting
print(string.format("%d %5.3f %g %x %q", 42, math.pi, 1e300, 255, "a\nb"))
print(("hello world"):upper(), ("abc"):rep(3, "-"), #"unikernel")
print(string.gsub("one two three", "(%w+)", "<%1>"))
for w in string.gmatch("a=1, b=2, c=3", "(%w+)=(%w+)") do io.write(w, ";") end
print()

-- integers, floats, math
print(7 // 2, 7 % 3, 2^10, 10 / 4, math.maxinteger, math.mininteger)
print(math.floor(-3.5), math.ceil(-3.5), math.abs(-7), math.tointeger(8.0))
print(string.format("%.14g", math.sqrt(2)), math.type(1), math.type(1.0))

-- tables and sorting
local t = {}
for i = 1, 200 do t[i] = (i * 7919) % 1009 end
table.sort(t)
print(t[1], t[100], t[200], #t, table.concat(t, ",", 1, 8))
local keys = {}
local map = {zeta = 1, alpha = 2, mid = 3, beta = 4}
for k in pairs(map) do keys[#keys + 1] = k end
table.sort(keys)
print(table.concat(keys, " "))

-- closures, varargs, coroutines
local function counter()
    local n = 0
    return function() n = n + 1; return n end
end
local c = counter(); c(); c()
print("counter", c())
local function sum(...)
    local s = 0
    for _, v in ipairs({...}) do s = s + v end
    return s, select("#", ...)
end
print("sum", sum(1, 2, 3, 4.5))
local co = coroutine.wrap(function(a)
    for i = 1, 3 do a = coroutine.yield(a * i) end
    return "done"
end)
print(co(2), co(10), co(100), co(0))

-- errors
local ok, e = pcall(error, {code = 7})
print(ok, type(e), e.code)
print(select(2, pcall(function() local x = nil; return x.y end)))
print(pcall(string.rep))

-- garbage collection under load
local big = {}
for i = 1, 100000 do big[i] = tostring(i) .. "x" end
big = nil
collectgarbage()
print("gc ok", collectgarbage("count") < 10000)

-- utf8 and goto
print(utf8.char(72, 228, 8364, 128512), utf8.len("häll€"))
for i = 1, 3 do
    for j = 1, 3 do
        if j == 2 then goto continue end
        io.write(i, j, " ")
        ::continue::
    end
end
print()

-- files from the read-only tree
local f = assert(io.open(root .. "/data.txt", "r"))
local lines, bytes = 0, 0
for line in f:lines() do lines = lines + 1; bytes = bytes + #line end
f:close()
print("data.txt", lines, bytes)
print(io.open(root .. "/missing.txt"))
print(os.getenv("ONYX_TEST_VAR"))

-- a scratch file in /tmp (the guest's tmpfs)
local name = os.tmpname()
local w = assert(io.open(name, "w"))
for i = 1, 1000 do w:write(string.format("%04d|", i)) end
w:close()
local r = assert(io.open(name, "r"))
local body = r:read("a")
r:close()
print("tmpfile", #body, body:sub(1, 10), body:sub(-5))
assert(os.rename(name, name .. ".moved"))
print("removed", os.remove(name .. ".moved"), io.open(name) == nil)
print("clock", type(os.clock()), os.clock() >= 0)
print("date", os.date("!%Y-%m-%d %H:%M:%S", 86400 * 365))
