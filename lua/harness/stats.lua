-- Descriptive statistics for benchmark samples (spawn latencies, CPU times).
--
-- Every function takes a list of numbers and leaves it untouched (sorting works on a copy).
-- An empty list is an expected failure: nil, "empty sample". A list holding something other
-- than a number, or a percentile outside 0..100, is misuse and raises an error.
--
-- Percentiles interpolate linearly between the two closest ranks (Hyndman & Fan type 7, the
-- default of R and numpy): with the sample sorted as x[1..n], percentile p sits at rank
-- h = (n-1)*p/100 + 1 and is x[floor(h)] + (h - floor(h)) * (x[floor(h)+1] - x[floor(h)]).
-- So p0 is the minimum, p100 the maximum, and p50 the usual median.
local M = {}

local EMPTY = "empty sample"

local function check(xs)
	if type(xs) ~= "table" then
		error("stats: expected a list of numbers, got " .. type(xs), 3)
	end
	for i = 1, #xs do
		if type(xs[i]) ~= "number" then
			error("stats: element " .. i .. " is a " .. type(xs[i]) .. ", not a number", 3)
		end
	end
	return #xs
end

local function sorted_copy(xs)
	local s = table.move(xs, 1, #xs, 1, {})
	table.sort(s)
	return s
end

-- Percentile of an already sorted, non-empty list (no checks: internal).
local function quantile_sorted(s, p)
	local n = #s
	local h = (n - 1) * p / 100 + 1
	local lo = math.floor(h)
	if lo >= n then
		return s[n]
	end
	return s[lo] + (h - lo) * (s[lo + 1] - s[lo])
end

local function check_p(p)
	if type(p) ~= "number" or p ~= p or p < 0 or p > 100 then
		error("stats: percentile must be a number in 0..100, got " .. tostring(p), 3)
	end
end

-- A loop rather than math.min(table.unpack(xs)): unpack is bounded by the C stack size.
local function fold(xs, f)
	local acc = xs[1]
	for i = 2, #xs do
		acc = f(acc, xs[i])
	end
	return acc
end

function M.sum(xs)
	check(xs)
	local t = 0
	for i = 1, #xs do
		t = t + xs[i]
	end
	return t
end

function M.min(xs)
	if check(xs) == 0 then
		return nil, EMPTY
	end
	return fold(xs, math.min)
end

function M.max(xs)
	if check(xs) == 0 then
		return nil, EMPTY
	end
	return fold(xs, math.max)
end

function M.mean(xs)
	local n = check(xs)
	if n == 0 then
		return nil, EMPTY
	end
	return M.sum(xs) / n
end

-- Sample variance (divides by n-1: the samples estimate a distribution); 0 for one sample.
function M.variance(xs)
	local n = check(xs)
	if n == 0 then
		return nil, EMPTY
	end
	if n == 1 then
		return 0
	end
	local m = M.sum(xs) / n
	local acc = 0
	for i = 1, n do
		local d = xs[i] - m
		acc = acc + d * d
	end
	return acc / (n - 1)
end

function M.stddev(xs)
	local v, err = M.variance(xs)
	if not v then
		return nil, err
	end
	return math.sqrt(v)
end

function M.percentile(xs, p)
	check_p(p)
	if check(xs) == 0 then
		return nil, EMPTY
	end
	return quantile_sorted(sorted_copy(xs), p)
end

function M.median(xs)
	return M.percentile(xs, 50)
end

-- Several percentiles from one sort: percentiles(xs, {50, 90, 99}) -> {[50]=..., [90]=..., [99]=...}
function M.percentiles(xs, ps)
	for _, p in ipairs(ps) do
		check_p(p)
	end
	if check(xs) == 0 then
		return nil, EMPTY
	end
	local s, out = sorted_copy(xs), {}
	for _, p in ipairs(ps) do
		out[p] = quantile_sorted(s, p)
	end
	return out
end

-- Everything a latency table needs, from one sort:
-- {n, min, max, mean, median, p25, p50, p75, p90, p99, stddev}.
function M.summary(xs)
	local n = check(xs)
	if n == 0 then
		return nil, EMPTY
	end
	local s = sorted_copy(xs)
	local r = { n = n, min = s[1], max = s[n], mean = M.sum(s) / n, stddev = M.stddev(s) }
	for _, p in ipairs({ 25, 50, 75, 90, 99 }) do
		r["p" .. p] = quantile_sorted(s, p)
	end
	r.median = r.p50
	return r
end

-- Equal-width histogram over [lo, hi] (default: the sample's range) with nbins bins (default:
-- Sturges' rule, at least 5). Returns {lo=, hi=, width=, counts={...}}; values outside [lo, hi]
-- are counted in the first or last bin so that nothing is silently dropped.
function M.histogram(xs, nbins, lo, hi)
	local n = check(xs)
	if n == 0 then
		return nil, EMPTY
	end
	nbins = nbins or math.max(5, math.ceil(math.log(n, 2)) + 1)
	lo = lo or M.min(xs)
	hi = hi or M.max(xs)
	if hi <= lo then
		hi = lo + (lo ~= 0 and math.abs(lo) * 1e-3 or 1e-9)
	end
	local width = (hi - lo) / nbins
	local counts = {}
	for i = 1, nbins do
		counts[i] = 0
	end
	for i = 1, n do
		local b = math.floor((xs[i] - lo) / width) + 1
		b = math.max(1, math.min(nbins, b))
		counts[b] = counts[b] + 1
	end
	return { lo = lo, hi = hi, width = width, counts = counts }
end

return M
