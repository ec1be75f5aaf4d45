-- common/book/lab.lua -- the heaplab book filter (pandoc 2.17, Lua 5.4).
--
-- The prose never types a number or pastes code by hand; this filter pulls them in from
-- the generated data and the chapter sources, and fails the render when any is missing.
--
--   ::: {#tbl:name .table src="NN-slug/NN-slug.summary.csv" metric=M rows=COL cols=COL
--        [cell=median|ci|ratio|cv] [where=C=V,...] [omit=C=V,...] [scale=X] [digits=N]
--        [resolution=METRIC] [corner=TEXT] caption="..."}
--   :::                       a statistics table, made by `summarize table` (each attribute
--                             is its --option); src may be a run CSV instead, summarised
--                             first with by=COLS and baseline=NAME|COL=VAL (--by, --baseline).
--                             Several metrics as columns: metric=M1,M2 cols=metric
--                             [labels="HEAD|HEAD"] [digits=N1,N2] [cell=C1,C2] [scale=X1,X2];
--                             rows=COL1,COL2: two columns
--                             (M@COL=VAL: metric M of the rows whose COL is VAL, e.g. by=allocator,tool)
--   ::: {#tbl:name .include gen="NN-slug/x.md" caption="..."}   a table made at book time
--   :::                       (gendir: e.g. a program's --describe); or src= under datadir;
--                             .md -> parsed markdown blocks; other files -> a code block
--   []{.v src="NN-slug/x.summary.csv" col=val... stat=median digits=3 scale=1 unit=ns}
--                             one formatted value from the one CSV row matching the filters;
--                             "X not run" when allocator=X did not run (not asked for, or
--                             not installed: rows with n=0), or for a ratio whose
--                             baseline, glibc, did not; "no data" when its row has n=0;
--                             text=1: a text column's field as it is (code), not a number
--   [sentence]{.claim src="NN-slug/x.summary.csv" where="metric=M,workload=W" test="EXPR"}
--                             a statement about the data, checked on every render against the
--                             rows where= selects (COL=VAL, VAL|VAL for several), named by
--                             their key= column (default allocator; key=allocator,workload:
--                             names like med['glibc/small']). EXPR is an expression
--                             (Lua's: and, or, not, < <= > >= == ~=, + - * /): a bare name is
--                             that row's median; med.N, lo.N and hi.N (its 95% interval),
--                             ratio.N, rlo.N, rhi.N (to the baseline, with its interval), cv.N
--                             and col.COLUMN.N any column; a name that is not a Lua name is
--                             written med['glibc-arena1'] or med[4]. Helpers, on names in
--                             quotes: below('a', 'b'): a's interval lies below b's; overlap('a',
--                             'b'): the intervals meet; within('a', 'b', f): a's median within a
--                             factor f of b's. A claim that holds renders as its text; one that
--                             does not is marked, with the values it read ("on this run: ..."),
--                             and listed at the end of its chapter and of the book; one whose
--                             data this run lacks (an allocator that did not run, a case a QUICK
--                             run skips, an empty spread) is not evaluated. The render
--                             never fails on a claim: the list goes to the file the metadata
--                             `claims` names (chapter, status, sentence, note; make test
--                             checks the reference book's)
--   ![caption](figures/NN-slug/x.svg){#fig:name}   path -> figdir; numbered "Figure C.N"
--   @fig:name  @tbl:name      cross-references -> link "Figure C.N" / "Table C.N"
--   ::: {.exercise #ex-NN-K prog=... allocators="..." case="..." baseline=... metric=...}
--   :::                       a workshop's exercise (`make ex-NN-K`), its ::: answer div inside:
--                             shown only in the answer key (section "exercises" below)
--   ::: {.region src="chapters/NN-slug/NN-slug.c" name="round"}       (src repo-relative)
--   :::                       the lines between "// [round]" and "// [/round]"
--
-- A data src= is under datadir; "data/NN-slug/..." is the committed reference data, always.
-- Metadata: datadir (default "data"), figdir (default "figures"), gendir (default "gen"),
-- summarize (build/summarize: the statistics tables, and the format of every number);
-- for the exercises (below, "exercises"): exdir (default build/ex), answers=1, only=ID,
-- exercises=FILE.
-- Every problem is collected; the render then fails once, listing all of them.

local stringify = pandoc.utils.stringify

local datadir, figdir, gendir = "data", "figures", "gen"
local exdir = "build/ex"   -- an exercise's run (src="ex/..."): common/exercise
local summarize_path = nil  -- build/summarize, from the metadata
local problems = {}        -- messages, in document order
local chapter = 0          -- numbered level-1 headers so far
local chapter_title = "(before the first chapter)"
local nfig, ntbl = 0, 0    -- figures / tables in the current chapter
local labels = {}          -- "fig:x" / "tbl:x" -> "Figure 1.2" / "Table 1.1"
local csv_cache = {}       -- path -> {header = {...}, rows = {{col = val}...}} or false
local claims = {}          -- every claim: {chapter, title, status, text, note, id}
local claims_file = nil    -- where the list of claims goes (metadata claims)

-- ---------------------------------------------------------------- helpers

local function problem(fmt, ...)
  local where = chapter > 0 and string.format("chapter %d \"%s\"", chapter, chapter_title)
                              or chapter_title
  problems[#problems + 1] = string.format(fmt, ...) .. "  [" .. where .. "]"
end

local function join(dir, rel)
  if rel:sub(1, 1) == "/" then return rel end
  return dir:gsub("/+$", "") .. "/" .. rel
end

-- A src= of data: under datadir, except "data/...", the repository's committed reference
-- data whatever datadir is (a chapter discussing another chapter's reference run).
local function data_path(src)
  if src:match("^data/") then return src end
  if src:match("^ex/") then return join(exdir, src:sub(4)) end
  return join(datadir, src)
end

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local function exists(path)
  local f = io.open(path, "rb")
  if not f then return false end
  local _, err = f:read(0)   -- a directory opens but cannot be read
  f:close()
  return err == nil
end

local function number_label(kind)   -- "Figure" -> "Figure 1.2" (or "Figure 2" before chapter 1)
  local n
  if kind == "Figure" then nfig = nfig + 1; n = nfig else ntbl = ntbl + 1; n = ntbl end
  if chapter > 0 then return string.format("%s %d.%d", kind, chapter, n) end
  return string.format("%s %d", kind, n)
end

local function parse_inlines(text)  -- a caption attribute may use markdown
  local doc = pandoc.read(text, "markdown")
  if #doc.blocks == 0 then return pandoc.List() end
  return doc.blocks[1].content
end

local function labelled(label, inlines)   -- "Figure 1.2: " .. caption
  local out = pandoc.List{pandoc.Str(label .. ":")}
  if inlines and #inlines > 0 then
    out:insert(pandoc.Space())
    out:extend(inlines)
  end
  return out
end

-- ---------------------------------------------------------------- summarize

-- build/summarize (metadata summarize, set by common/book/render) formats every number and
-- makes every statistics table: the book formats numbers in that one place.
local function summarize(args, input)   -- its stdout, or nil and its error message
  if not summarize_path or not exists(summarize_path) then
    return nil, string.format("no %s (make build/summarize)", summarize_path or "summarize")
  end
  -- stderr joins stdout, so that its one-line message becomes the problem's text
  local ok, out = pcall(pandoc.pipe, "sh", {"-c", 'exec "$0" "$@" 2>&1', summarize_path,
                                            table.unpack(args)}, input or "")
  if ok then return out end
  local msg = type(out) == "table" and out.output or tostring(out)
  return nil, (msg:gsub("^summarize: error: ", ""):gsub("%s+$", ""))
end

-- x (the number's text) times scale, with digits significant digits: `summarize format`.
-- (kept: a book formats the same value in several places, each a process of its own)
local formatted = {}
local function format_number(raw, digits, scale)
  local key = table.concat({raw, tostring(digits), tostring(scale)}, "\0")
  if formatted[key] then return formatted[key] end
  local out, err = summarize({"format", "--digits", tostring(digits), "--scale", scale}, raw .. "\n")
  if not out then return nil, err end
  formatted[key] = out:gsub("\n$", "")
  return formatted[key]
end

-- ---------------------------------------------------------------- CSV

local function load_csv(path)
  if csv_cache[path] ~= nil then return csv_cache[path] end
  local text = read_file(path)
  if not text then csv_cache[path] = false; return false end
  local header, rows = nil, {}
  for line in text:gmatch("[^\n]+") do
    line = line:gsub("\r$", "")
    if line ~= "" then
      local fields = {}
      for f in (line .. ","):gmatch("([^,]*),") do fields[#fields + 1] = f end
      if not header then
        header = fields
      else
        local row = {}
        for i, col in ipairs(header) do row[col] = fields[i] or "" end
        rows[#rows + 1] = row
      end
    end
  end
  local t = {header = header or {}, rows = rows}
  csv_cache[path] = t
  return t
end

local function has_column(csv, col)
  for _, c in ipairs(csv.header) do if c == col then return true end end
  return false
end

local value_options = {src = true, stat = true, digits = true, scale = true, unit = true,
                       text = true}

local registry = nil       -- allocator names in common/allocators' table
local function known_allocator(name)
  if not registry then
    registry = {}
    local p = io.popen("common/allocators list 2>/dev/null")
    if p then
      for line in p:lines() do registry[line] = true end
      p:close()
    end
  end
  return registry[name] == true
end

-- Does any row of allocator a hold a result? (A summary row with n=0, a run row whose
-- status is not ok, e.g. 'missing', or of rep 0, does not.)
local function ran(csv, a)
  for _, row in ipairs(csv.rows) do
    if row.allocator == a then
      if row.n then
        if (tonumber(row.n) or 0) > 0 then return true end
      elseif (not row.status or row.status == "ok") and row.rep ~= "0" then
        return true   -- (rep 0: a row common/run wrote for a case that never ran)
      end
    end
  end
  return false
end

local function not_run(a)   -- the value of an allocator that did not run, said in the sentence
  return pandoc.Span({pandoc.Str(a .. " not run")}, pandoc.Attr("", {"v", "not-run"}))
end

-- A value its row ran without: "no data", with the row's status when that says why.
local function no_data(status)
  local why = status and status ~= "" and status ~= "ok" and " (" .. status .. ")" or ""
  return pandoc.Span({pandoc.Str("no data" .. why)}, pandoc.Attr("", {"v", "not-run"}))
end

-- The statistics of a spread, which one run does not have (summarize leaves them empty).
local SPREAD = {sd = true, cv = true, ci_lo = true, ci_hi = true, ratio_lo = true, ratio_hi = true}

local function value(span)
  local a = span.attributes
  local src = a.src
  if not src or src == "" then
    problem("value without src: %s", stringify(span)); return pandoc.Str("??")
  end
  local path = data_path(src)
  local stat = a.stat or "median"
  if a.text and a.text ~= "0" and a.text ~= "1" then
    problem("value %s: text='%s' is not allowed: expected 0 or 1", src, a.text); return pandoc.Str("??")
  end
  local filters, desc = {}, {}
  for _, kv in ipairs(span.attributes) do
    if not value_options[kv[1]] then
      filters[#filters + 1] = kv
      desc[#desc + 1] = kv[1] .. "=" .. kv[2]
    end
  end
  local what = string.format("value %s [%s] stat=%s", src, table.concat(desc, " "), stat)
  local csv = load_csv(path)
  if not csv then problem("%s: missing CSV %s", what, path); return pandoc.Str("??") end
  for _, kv in ipairs(filters) do
    if not has_column(csv, kv[1]) then
      problem("%s: no column '%s' in %s (columns: %s)", what, kv[1], path,
              table.concat(csv.header, ","))
      return pandoc.Str("??")
    end
  end
  if not has_column(csv, stat) then
    problem("%s: no column '%s' in %s (columns: %s)", what, stat, path,
            table.concat(csv.header, ","))
    return pandoc.Str("??")
  end
  if has_column(csv, "allocator") then
    for _, kv in ipairs(filters) do
      if kv[1] == "allocator" and known_allocator(kv[2]) and not ran(csv, kv[2]) then
        return not_run(kv[2])
      end
    end
  end
  local match, count = nil, 0
  for _, row in ipairs(csv.rows) do
    local ok = true
    for _, kv in ipairs(filters) do
      if row[kv[1]] ~= kv[2] then ok = false; break end
    end
    if ok then match = row; count = count + 1 end
  end
  if count == 0 then
    for _, kv in ipairs(filters) do   -- a misspelt allocator is the prose's mistake
      if kv[1] == "allocator" and not known_allocator(kv[2]) and not ran(csv, kv[2]) then
        problem("%s: no allocator '%s' in %s", what, kv[2], path)
        return pandoc.Str("??")
      end
    end
    -- a case this run did not make (e.g. QUICK's fewer threads); the reference book has
    -- none (tests/claims.t)
    return no_data("no such row")
  elseif count > 1 then
    problem("%s: %d rows match in %s, want exactly 1", what, count, path)
    return pandoc.Str("??")
  end
  if match.n and tonumber(match.n) == 0 then   -- it ran, but this was not measured (e.g. no perf)
    return no_data(match.status)
  end
  local raw = match[stat]
  if a.text == "1" and raw ~= "" then   -- a text column (a name, a command): shown as code
    return pandoc.Span({pandoc.Code(raw)}, pandoc.Attr("", {"v"}))
  elseif a.text == "1" and (match.status or "ok") == "ok" then   -- empty: not measured
    return no_data()
  end
  local x = tonumber(raw)
  if raw == "" and match.status and match.status ~= "" and match.status ~= "ok" then
    -- a row that says why it has no value (e.g. overhead.csv's 'timeout'): the sentence says so
    return no_data(match.status)
  end
  local ratio = stat:match("^ratio") ~= nil
  if raw == "" and match.n == "1" and SPREAD[stat] then   -- one run (e.g. QUICK): no spread
    return pandoc.Span({pandoc.Str("n/a (one run)")}, pandoc.Attr("", {"v", "not-run"}))
  end
  if raw == "" and ratio and has_column(csv, "allocator") and not ran(csv, "glibc") then
    return not_run("glibc")   -- the baseline
  end
  if raw == "" or not x or x ~= x or x == math.huge or x == -math.huge then
    problem("%s: %s is %s, not a number", what, stat, raw == "" and "empty" or "'" .. raw .. "'")
    return pandoc.Str("??")
  end
  local s, err = format_number(raw, a.digits or (ratio and "2" or "3"), a.scale or "1")
  if not s then problem("%s: %s", what, err); return pandoc.Str("??") end
  if ratio then s = s .. "×" end
  if a.unit and a.unit ~= "" then s = s .. "\u{202F}" .. a.unit end   -- narrow no-break space
  return pandoc.Span({pandoc.Str(s)}, pandoc.Attr("", {"v"}))
end

-- ---------------------------------------------------------------- includes and regions

-- An allocator that is not installed has one row per case, status 'missing', in the run
-- CSV; summarize's table gives it "— (N missing)" cells, "—" where a column (e.g. a
-- phase) is not a case, and an unnamed column for the rows that have no such value. Say
-- "not run (not installed)" across its row, and drop a column that only the missing
-- rows make.
local MISSING = "^— %(%d+ missing%)$"
local function not_installed(tbl)
  local rows = {}
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do rows[#rows + 1] = row end
  end
  local text = function(cell) return stringify(cell.contents) end
  for _, row in ipairs(rows) do
    local missing = false
    for _, cell in ipairs(row.cells) do missing = missing or text(cell):match(MISSING) ~= nil end
    if missing then
      for _, cell in ipairs(row.cells) do
        if text(cell) == "—" or text(cell):match(MISSING) then
          cell.contents = {pandoc.Plain{pandoc.Emph{pandoc.Str("not run (not installed)")}}}
        end
      end
    end
  end
  local head = tbl.head.rows[1]
  if not head then return tbl end
  for j = #head.cells, 2, -1 do
    local only_missing = text(head.cells[j]) == ""
    for _, row in ipairs(rows) do
      local t = row.cells[j] and text(row.cells[j]) or ""
      only_missing = only_missing and (t == "—" or t == "not run (not installed)")
    end
    if only_missing and #head.cells == #tbl.colspecs then
      table.remove(tbl.colspecs, j)
      table.remove(head.cells, j)
      for _, row in ipairs(rows) do table.remove(row.cells, j) end
    end
  end
  return tbl
end

-- Generated markdown (a table or more): as text, so no raw HTML or raw blocks pass, with
-- "not run" cells; with an id or a caption, its one table is numbered and captioned.
local function table_blocks(div, what, text)
  local blocks = pandoc.read(text, "markdown-raw_html-raw_attribute-raw_tex").blocks
  blocks = pandoc.walk_block(pandoc.Div(blocks), {Table = not_installed}).content
  local caption, id = div.attributes.caption, div.identifier
  if caption or id ~= "" then
    local tables = {}
    for i, b in ipairs(blocks) do if b.t == "Table" then tables[#tables + 1] = i end end
    if #tables ~= 1 then
      problem("%s: caption/id needs exactly one table, found %d", what, #tables)
      return pandoc.Div(blocks)
    end
    if id ~= "" and not id:match("^tbl:") then
      problem("%s: table id '%s' must start with 'tbl:'", what, id)
    end
    local label = number_label("Table")
    if id ~= "" then
      if labels[id] then problem("duplicate id %s", id) end
      labels[id] = label
    end
    local tbl = blocks[tables[1]]
    local text_inlines
    if caption then
      text_inlines = parse_inlines(caption)
    else
      text_inlines = stringify(tbl.caption.long) ~= "" and
        pandoc.utils.blocks_to_inlines(tbl.caption.long) or pandoc.List()
    end
    tbl.caption.long = pandoc.List{pandoc.Plain(labelled(label, text_inlines))}
    blocks[tables[1]] = tbl
  end
  return pandoc.Div(blocks, pandoc.Attr(id, {"include"}))
end

-- ::: {.include src=FILE} (under datadir) or {.include gen=FILE} (under gendir: a table
-- made at book time, e.g. a program's --describe): a .md file as markdown, another as code.
local function include(div)
  local src, gen = div.attributes.src, div.attributes.gen
  if (src and 1 or 0) + (gen and 1 or 0) ~= 1 or (src or gen) == "" then
    problem("include needs one of src= (under the data) or gen= (made at book time)")
    return pandoc.Div({})
  end
  local path = src and data_path(src) or join(gendir, gen)
  local what = "include " .. (src or gen)
  local text = read_file(path)
  if not text then
    problem("%s: missing file %s", what, path); return pandoc.Div({})
  end
  if not path:match("%.md$") then
    if div.attributes.caption or div.identifier ~= "" then
      problem("%s: caption/id only apply to .md tables", what)
    end
    return pandoc.CodeBlock((text:gsub("\n+$", "")))
  end
  return table_blocks(div, what, text)
end

-- ::: {#tbl:x .table src=NN-slug/x.summary.csv metric=M rows=COL cols=COL ... caption="..."}
-- A table of one metric, made by `summarize table` from a summary; each option attribute is
-- its --option. src may name a run CSV instead: it is summarised first, with by= and
-- baseline= as summarize's --by and --baseline (its defaults without them).
local table_options = {"metric", "rows", "cols", "cell", "where", "omit", "scale", "digits",
                       "resolution", "corner", "labels"}
local table_attributes = {src = true, by = true, baseline = true, caption = true}
for _, o in ipairs(table_options) do table_attributes[o] = true end
local summaries = {}       -- "path by baseline" -> a run CSV's summary, made once

local function stat_table(div)
  local a = div.attributes
  local what = string.format("table %s%s", div.identifier ~= "" and "#" .. div.identifier .. " " or "",
                             a.src or "")
  for _, kv in ipairs(div.attributes) do
    if not table_attributes[kv[1]] then
      problem("%s: unknown attribute '%s' (allowed: src by baseline caption %s)", what, kv[1],
              table.concat(table_options, " "))
      return pandoc.Div({})
    end
  end
  if not a.src or a.src == "" then problem("%s: no src=", what); return pandoc.Div({}) end
  local path = data_path(a.src)
  if not exists(path) then problem("%s: missing file %s", what, path); return pandoc.Div({}) end
  local args, input = {"table", path}, nil
  if a.by or a.baseline or not a.src:match("%.summary%.csv$") then
    local sargs = {}
    if a.by then sargs[#sargs + 1] = "--by"; sargs[#sargs + 1] = a.by end
    if a.baseline then sargs[#sargs + 1] = "--baseline"; sargs[#sargs + 1] = a.baseline end
    sargs[#sargs + 1] = path
    local key = table.concat(sargs, "\0")
    if not summaries[key] then
      local out, err = summarize(sargs)
      if not out then problem("%s: %s", what, err); return pandoc.Div({}) end
      summaries[key] = out
    end
    args[2], input = "/dev/stdin", summaries[key]
  end
  for _, o in ipairs(table_options) do
    if a[o] then args[#args + 1] = "--" .. o; args[#args + 1] = a[o] end
  end
  local out, err = summarize(args, input)
  if not out then
    problem("%s: %s", what, (err:gsub("/dev/stdin", "the summary of " .. path)))
    return pandoc.Div({})
  end
  return table_blocks(div, what, out)
end

local function region(div)
  local src, name = div.attributes.src, div.attributes.name
  if not src or src == "" or not name or name == "" then
    problem("region needs src and name (src=%s name=%s)", src or "", name or "")
    return pandoc.Div({})
  end
  local text = read_file(src)
  if not text then problem("region %s in %s: missing file", name, src); return pandoc.Div({}) end
  local open, close = "// [" .. name .. "]", "// [/" .. name .. "]"
  local lines, state, starts = {}, "before", 0
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    local t = line:match("^%s*(.-)%s*$")
    if t == open then
      starts = starts + 1
      state = "in"
    elseif t == close and state == "in" then
      state = "after"
    elseif state == "in" and not t:match("^// %[/?[%w_.-]+%]$") then  -- drop nested markers
      lines[#lines + 1] = line
    end
  end
  if starts == 0 then
    problem("region %s in %s: no line '%s'", name, src, open); return pandoc.Div({})
  elseif starts > 1 then
    problem("region %s in %s: '%s' appears %d times", name, src, open, starts); return pandoc.Div({})
  elseif state ~= "after" then
    problem("region %s in %s: no closing line '%s'", name, src, close); return pandoc.Div({})
  end
  local label = pandoc.Div({pandoc.Plain{pandoc.Code(src), pandoc.Str(","), pandoc.Space(),
                                         pandoc.Str("region"), pandoc.Space(), pandoc.Code(name)}},
                           pandoc.Attr("", {"region-name"}))
  local code = pandoc.CodeBlock(table.concat(lines, "\n"), pandoc.Attr("", {"c"}))
  return pandoc.Div({label, code}, pandoc.Attr(div.identifier, {"region"}))
end

-- ---------------------------------------------------------------- claims

local SKIP = {}   -- raised (as an error value) when a claim names an allocator that did not run

-- The rows of csv that where= selects ("COL=VAL|VAL,COL=VAL"), by their key column; nil and
-- a message when where= names no column or two rows share a key.
local function claim_rows(csv, where, key)
  local conds = {}
  for c in (where or ""):gmatch("[^,]+") do
    local col, vals = c:match("^%s*([%w_]+)=(.*)$")
    if not col or not has_column(csv, col) then return nil, "where: '" .. c .. "' names no column" end
    local set = {}
    for v in vals:gmatch("[^|]+") do set[v] = true end
    conds[#conds + 1] = {col, set}
  end
  local keys = {}
  for k in key:gmatch("[^,]+") do
    if not has_column(csv, k) then return nil, "key: no column '" .. k .. "'" end
    keys[#keys + 1] = k
  end
  local rows = {}
  for _, row in ipairs(csv.rows) do
    local ok = true
    for _, c in ipairs(conds) do if not c[2][row[c[1]]] then ok = false; break end end
    if ok then
      local parts = {}
      for _, k in ipairs(keys) do parts[#parts + 1] = row[k] end
      local name = table.concat(parts, "/")   -- key=allocator,workload: 'glibc/small'
      if rows[name] then return nil, "two rows have " .. key .. "=" .. name end
      rows[name] = row
    end
  end
  return rows
end

-- The environment a test runs in: names resolve to the rows' values; every value read is
-- noted in used ("tcmalloc 12.3"), for the note of a claim that does not hold.
local COLS = {med = "median", lo = "ci_lo", hi = "ci_hi", ratio = "ratio", rlo = "ratio_lo",
              rhi = "ratio_hi", cv = "cv"}
local function claim_env(csv, rows, key, used)
  local function column(col)
    return setmetatable({}, {__index = function(_, name)
      name = tostring(name)
      local row = rows[name]
      if not row and key == "allocator" and known_allocator(name) and not ran(csv, name) then
        error({skip = name .. " not run"}, 0)
      end
      -- Data this run lacks (a case a QUICK run skips, a spread of one process, a status
      -- row): the claim is not evaluated. The reference book must have none (tests/claims.t).
      if not row then error({skip = string.format("no row with %s=%s", key, name)}, 0) end
      local x = tonumber(row[col])
      if not x then
        error({skip = string.format("%s %s is '%s'%s", name, col, row[col] or "",
                                    row.status and row.status ~= "ok" and " (" .. row.status .. ")" or "")}, 0)
      end
      used[#used + 1] = {name .. (col == "median" and "" or " " .. col), row[col]}
      return x
    end})
  end
  local env = {math = math}
  for short, col in pairs(COLS) do env[short] = column(col) end
  env.col = setmetatable({}, {__index = function(_, c) return column(c) end})
  env.below = function(x, y) return env.hi[x] < env.lo[y] end
  env.overlap = function(x, y) return env.lo[x] <= env.hi[y] and env.lo[y] <= env.hi[x] end
  env.within = function(x, y, f) local r = env.med[x] / env.med[y]; return r <= f and r >= 1 / f end
  return setmetatable(env, {__index = function(_, name) return env.med[name] end})
end

-- "on this run: tcmalloc 12.3, floor 9.1": the values the test read, formatted as the book's.
local function claim_note(used)
  local parts, seen = {}, {}
  for _, u in ipairs(used) do
    if not seen[u[1]] then
      seen[u[1]] = true
      parts[#parts + 1] = u[1] .. " " .. (format_number(u[2], 3, "1") or u[2])
    end
  end
  return "on this run: " .. table.concat(parts, ", ")
end

-- Evaluates one claim: "holds", "failed" (with its note) or "skipped" (why).
local function evaluate(a)
  local what = string.format("claim %s [%s]", a.src or "?", a.test or "?")
  if not a.src or not a.test then return nil, what .. ": needs src= and test=" end
  local csv = load_csv(data_path(a.src))
  if not csv then return nil, what .. ": missing CSV " .. data_path(a.src) end
  local key = a.key or "allocator"
  local rows, err = claim_rows(csv, a.where, key)
  if not rows then return nil, what .. ": " .. err end
  for v in (a.where or ""):gmatch("allocator=([^,]+)") do   -- a claim about one that did not run
    for name in v:gmatch("[^|]+") do
      if known_allocator(name) and not ran(csv, name) then return "skipped", name .. " not run" end
    end
  end
  local used = {}
  local fn, perr = load("return " .. a.test, "test", "t", claim_env(csv, rows, key, used))
  if not fn then return nil, what .. ": " .. perr end
  local ok, result = pcall(fn)
  if not ok and type(result) == "table" and result.skip then return "skipped", result.skip end
  if not ok then return nil, what .. ": " .. tostring(result) end
  if type(result) ~= "boolean" then return nil, what .. ": the test gives " .. type(result) .. ", not true or false" end
  return result and "holds" or "failed", claim_note(used)
end

local function claim(span)
  span = pandoc.walk_inline(span, {Span = function(v)   -- its values first: the list quotes them
    if v.classes:includes("v") and v.attributes.src then return value(v) end
  end})
  local status, note = evaluate(span.attributes)
  if not status then problem("%s", note); return span end
  local c = {chapter = chapter, title = chapter_title, status = status, text = stringify(span),
             note = note, id = "claim-" .. (#claims + 1)}
  claims[#claims + 1] = c
  local classes = {"claim"}
  local content = pandoc.List(span.content)
  if status == "failed" then
    classes[#classes + 1] = "claim-failed"
    content:insert(pandoc.Span({pandoc.Str(" ✗ (" .. note .. ")")}, pandoc.Attr("", {"claim-note"})))
  elseif status == "skipped" then
    classes[#classes + 1] = "claim-skipped"
  end
  return pandoc.Span(content, pandoc.Attr(c.id, classes, {{"title", status == "holds" and "holds on this run"
                                                            or status == "skipped" and "not evaluated: " .. note or note}}))
end

-- The claims of chapter n (or all: nil) that did not hold, as a list linking to each.
local function failed_list(n)
  local items = pandoc.List()
  for _, c in ipairs(claims) do
    if c.status == "failed" and (n == nil or c.chapter == n) then
      local prefix = n == nil and (c.title .. ": ") or ""
      items:insert({pandoc.Plain({pandoc.Str(prefix), pandoc.Link({pandoc.Str(c.text)}, "#" .. c.id),
                                  pandoc.Str(" — " .. c.note)})})
    end
  end
  return items
end

-- After each chapter, the claims that did not hold in it; at the end of the book, all of
-- them and the count of every status.
local function claims_blocks(doc)
  local out, n = pandoc.List(), 0
  local function close()
    local items = failed_list(n)
    if n > 0 and #items > 0 then
      out:insert(pandoc.Div({pandoc.Para({pandoc.Strong({pandoc.Str("Claims that did not hold on this run")})}),
                             pandoc.BulletList(items)}, pandoc.Attr("", {"claims-failed"})))
    end
  end
  for _, b in ipairs(doc.blocks) do
    if b.t == "Header" and b.level == 1 and not b.classes:includes("unnumbered") then close(); n = n + 1 end
    out:insert(b)
  end
  close()
  local count = {holds = 0, failed = 0, skipped = 0}
  for _, c in ipairs(claims) do count[c.status] = count[c.status] + 1 end
  if #claims > 0 then
    out:insert(pandoc.Header(1, {pandoc.Str("Claims checked on this run")}, pandoc.Attr("claims", {"unnumbered"})))
    out:insert(pandoc.Para({pandoc.Str(string.format(
      "The book states %d claims about its data, each checked against the data it was rendered from: %d held, %d did not, %d were not evaluated (an allocator they name did not run).",
      #claims, count.holds, count.failed, count.skipped))}))
    local items = failed_list(nil)
    if #items > 0 then
      out:insert(pandoc.Para({pandoc.Strong({pandoc.Str("Claims that did not hold on this run")})}))
      out:insert(pandoc.BulletList(items))
    end
  end
  return out
end

local function write_claims()
  if not claims_file then return end
  local f = io.open(claims_file, "w")
  if not f then problem("cannot write the list of claims to %s", claims_file); return end
  f:write("chapter\tstatus\tclaim\tnote\n")
  for _, c in ipairs(claims) do
    f:write(string.format("%s\t%s\t%s\t%s\n", c.title, c.status, c.text, c.note))
  end
  f:close()
end

-- ---------------------------------------------------------------- exercises

-- ::: {.exercise #ex-NN-K prog=build/NN-slug/NN-slug allocators="a b" case="ARGS" baseline=a metric=M}
-- The question (what to change, what to predict).
-- ::: answer
-- [The expected outcome]{.claim src="ex/ex-NN-K.summary.csv" where="metric=M" test="..."}; the mechanism.
-- :::
-- :::
-- A workshop's exercise, run by `make ex-NN-K` (common/exercise: one common/run of the
-- allocators, at QUICK size, into build/ex/ex-NN-K.csv and its summary). Its attributes:
-- prog, allocators (arms: the allocators, e.g. a registry variant beside its library), case
-- (one argument line for all) or cases ("@LABEL ARGS; @LABEL ARGS": arms by label, column
-- `arm`), baseline (summarize --baseline: NAME or arm=LABEL), metric (the table's, M[,M]),
-- optional by (summarize --by; default allocator,workload, and arm with cases), where
-- (the table's rows), rows (the table's row columns; default the arms), reps (default 3),
-- run (more options of common/run). The book shows "Exercise N.K" and its command, without
-- the answer. Metadata answers=1 (the answer key, common/exercise answers): only the
-- chapters' titles and their exercises, each with its question, the table of its run (median,
-- 95% interval, ratio to the baseline), the verdict of its answer's first claim, and the
-- answer; only=ID: that exercise alone. Metadata exercises=FILE: nothing is rendered; every
-- exercise's resolved spec goes to FILE, lines ID<TAB>KEY<TAB>VALUE (a `case` line per case).
-- A src= "ex/..." is under the metadata exdir (default build/ex).
local EX_REQUIRED = {"prog", "allocators", "baseline", "metric"}
local EX_ATTRS = {prog = true, allocators = true, case = true, cases = true, baseline = true,
                  metric = true, by = true, where = true, rows = true, reps = true, run = true}
local answers_mode, only_exercise, exercises_file = false, nil, nil
local exercise_ids = {}    -- id -> true, for duplicates

-- The resolved spec of an exercise: its attributes with defaults, and its cases (a list of
-- "ARGS" or "@LABEL ARGS"); nil and a message when it is not a valid spec.
local function exercise_spec(div)
  local id, a = div.identifier, div.attributes
  if not id:match("^ex%-%d%d%-%d+$") then
    return nil, string.format("exercise '%s': the id must be #ex-NN-K (NN the chapter, K its number)", id)
  end
  for _, kv in ipairs(a) do
    if not EX_ATTRS[kv[1]] then
      return nil, string.format("exercise %s: unknown attribute '%s' (allowed: prog allocators case cases baseline metric by where rows reps run)", id, kv[1])
    end
  end
  for _, k in ipairs(EX_REQUIRED) do
    if not a[k] or a[k] == "" then return nil, string.format("exercise %s: no %s=", id, k) end
  end
  if (a.case and 1 or 0) + (a.cases and 1 or 0) ~= 1 then
    return nil, string.format("exercise %s: needs one of case=\"ARGS\" or cases=\"@LABEL ARGS; @LABEL ARGS\"", id)
  end
  local spec = {id = id, prog = a.prog, allocators = a.allocators, baseline = a.baseline,
                metric = a.metric, where = a.where, reps = a.reps or "3", run = a.run, cases = {}}
  if a.case then spec.cases[1] = a.case end
  for c in (a.cases or ""):gmatch("[^;]+") do
    c = c:match("^%s*(.-)%s*$")
    if not c:match("^@[a-z0-9_.-]+") then
      return nil, string.format("exercise %s: cases= item '%s' is not allowed: expected \"@LABEL ARGS\"", id, c)
    end
    spec.cases[#spec.cases + 1] = c
  end
  if not spec.reps:match("^[1-9]%d?$") then
    return nil, string.format("exercise %s: reps='%s' is not allowed: expected 1 to 99", id, spec.reps)
  end
  local multi = select(2, spec.allocators:gsub("%S+", "")) > 1
  spec.by = a.by or ("allocator,workload" .. (a.cases and ",arm" or ""))
  spec.rows = a.rows or (a.cases and (multi and "allocator,arm" or "arm") or "allocator")
  return spec
end

local function block_claims(blocks)   -- the claim spans in blocks, in order
  local found = {}
  pandoc.walk_block(pandoc.Div(blocks), {Span = function(s)
    if s.classes:includes("claim") then found[#found + 1] = s end
  end})
  return found
end

local function exercise_parts(div)    -- the question's blocks, the answer's (or nil)
  local question, answer = pandoc.List(), nil
  for _, b in ipairs(div.content) do
    if b.t == "Div" and b.classes:includes("answer") then answer = b.content else question:insert(b) end
  end
  return question, answer
end

local function evaluate_spans(blocks)  -- values and claims, as in the prose
  return pandoc.walk_block(pandoc.Div(blocks), {Span = function(s)
    if s.classes:includes("v") and s.attributes.src then return value(s) end
    if s.classes:includes("claim") then return claim(s) end
  end}).content
end

local function exercise_name(id)   -- ex-01-2 -> "Exercise 1.2"
  local nn, k = id:match("^ex%-(%d%d)%-(%d+)$")
  return string.format("Exercise %d.%s", tonumber(nn), k)
end

-- "Exercise 1.2 (make ex-01-2)" before the question's first paragraph.
local function exercise_label(spec, question)
  local head = {pandoc.Strong({pandoc.Str(exercise_name(spec.id))}),
                pandoc.Space(), pandoc.Str("("), pandoc.Code("make " .. spec.id), pandoc.Str(")"),
                pandoc.Space()}
  if question[1] and question[1].t == "Para" then
    local inl = pandoc.List(head); inl:extend(question[1].content)
    question[1] = pandoc.Para(inl)
  else
    question:insert(1, pandoc.Para(head))
  end
  return question
end

-- The answer key's part of an exercise: its run's table, the verdict, the answer.
local function exercise_key(spec, answer)
  local out = pandoc.List()
  local summary = join(exdir, spec.id .. ".summary.csv")
  local function heading(text) out:insert(pandoc.Para({pandoc.Strong({pandoc.Str(text)})})) end
  if not exists(summary) then
    heading("On this machine")
    out:insert(pandoc.Para({pandoc.Str("Not run yet:"), pandoc.Space(), pandoc.Code("make " .. spec.id)}))
    heading("Answer")
    out:extend(answer)
    return out
  end
  heading("On this machine")
  local env = read_file(join(exdir, spec.id .. ".env.txt")) or ""
  local when = env:match("date: ([^\n]+)") or "?"
  local cpu = env:match("cpu: ([^\n]+)") or "?"
  local dur = env:match("duration: ([^\n]+)") or "?"
  out:insert(pandoc.Para({pandoc.Str(string.format("%s repetitions at QUICK size, the arms shuffled within each (%s, %s); %s. ",
                                                   spec.reps, dur, when, cpu)),
                          pandoc.Code("build/ex/" .. spec.id .. ".csv")}))
  local metrics, cells, labels = {}, {}, {}
  local base = spec.baseline:gsub("^.-=", "")
  for m in spec.metric:gmatch("[^,]+") do
    metrics[#metrics + 1] = m .. "," .. m; cells[#cells + 1] = "ci,ratio"
    labels[#labels + 1] = m .. ": median [95%]|ratio to " .. base .. " [95%]"
  end
  local attrs = {src = "ex/" .. spec.id .. ".summary.csv", metric = table.concat(metrics, ","),
                 rows = spec.rows, cols = "metric", cell = table.concat(cells, ","),
                 labels = table.concat(labels, "|")}
  if spec.where then attrs.where = spec.where end
  out:insert(stat_table(pandoc.Div({}, pandoc.Attr("", {"table"}, attrs))))
  local first = #claims + 1
  local body = evaluate_spans(answer)
  local c = claims[first]
  local verdict = not c and "no claim" or c.status == "holds" and "held" or
                  c.status == "failed" and "did not hold" or "not evaluated"
  out:insert(pandoc.Div({pandoc.Para({pandoc.Strong({pandoc.Str("Verdict:")}), pandoc.Space(),
                                      pandoc.Str("the expected outcome " .. verdict .. " on this run"
                                                 .. (c and " (" .. c.note .. ")" or "") .. ".")})},
                        pandoc.Attr("", {"verdict", "verdict-" .. (c and c.status or "none")})))
  heading("Answer")
  out:extend(body)
  return out
end

local function exercise(div)
  local spec, err = exercise_spec(div)
  if not spec then problem("%s", err); return pandoc.Div({}) end
  if exercise_ids[spec.id] then problem("exercise %s: the id is used twice", spec.id) end
  exercise_ids[spec.id] = true
  local question, answer = exercise_parts(div)
  if not answer then problem("exercise %s: no ::: answer div (the mechanism, with its claim)", spec.id); answer = {} end
  local cl = block_claims(answer)
  if #cl == 0 then
    problem("exercise %s: its answer has no claim (the expected outcome, a .claim on ex/%s.summary.csv)", spec.id, spec.id)
  elseif not (cl[1].attributes.src or ""):match("^ex/" .. spec.id:gsub("%-", "%%-") .. "%.") then
    problem("exercise %s: its first claim reads %s: expected src=\"ex/%s.summary.csv\"", spec.id,
            cl[1].attributes.src or "nothing", spec.id)
  end
  question = evaluate_spans(question)
  if answers_mode then   -- the key: its heading names the exercise and its command
    local blocks = pandoc.List({pandoc.Header(2, {pandoc.Str(exercise_name(spec.id)),
                                                  pandoc.Space(), pandoc.Str("·"), pandoc.Space(),
                                                  pandoc.Code("make " .. spec.id)},
                                              pandoc.Attr(spec.id, {"unnumbered"}))})
    local q = pandoc.List(question)
    blocks:insert(pandoc.Para({pandoc.Strong({pandoc.Str("The prediction asked for")})}))
    blocks:extend(q)
    blocks:extend(exercise_key(spec, answer))
    return pandoc.Div(blocks, pandoc.Attr("", {"exercise", "exercise-key"}))
  end
  return pandoc.Div(exercise_label(spec, question), pandoc.Attr(spec.id, {"exercise"}))
end

-- Before pass 1: the answer key keeps the chapters' titles and their exercises (and what
-- comes before the first chapter); the list of exercises keeps nothing.
local ex_prefilter = {
  Pandoc = function(doc)
    if exercises_file then
      local f = io.open(exercises_file, "w")
      if not f then error("lab.lua: cannot write " .. exercises_file, 0) end
      local bad = {}
      for _, b in ipairs(doc.blocks) do
        if b.t == "Div" and b.classes:includes("exercise") then
          local spec, err = exercise_spec(b)
          if not spec then bad[#bad + 1] = err else
            for _, k in ipairs({"prog", "allocators", "baseline", "metric", "by", "where", "rows", "reps", "run"}) do
              if spec[k] then f:write(spec.id, "\t", k, "\t", (spec[k]:gsub("[\t\n]", " ")), "\n") end
            end
            for _, c in ipairs(spec.cases) do f:write(spec.id, "\t", "case", "\t", c, "\n") end
            local q = exercise_parts(b)
            f:write(spec.id, "\t", "question", "\t", (stringify(q):gsub("%s+", " ")), "\n")
          end
        end
      end
      f:close()
      if #bad > 0 then error("lab.lua: " .. table.concat(bad, "\n  "), 0) end
      return pandoc.Pandoc({}, doc.meta)
    end
    if not answers_mode then return nil end
    local keep, started = pandoc.List(), false
    for _, b in ipairs(doc.blocks) do
      if b.t == "Header" and b.level == 1 and not b.classes:includes("unnumbered") then started = true end
      if not started or (b.t == "Header" and b.level == 1) or
         (b.t == "Div" and b.classes:includes("exercise") and (not only_exercise or b.identifier == only_exercise)) then
        keep:insert(b)
      end
    end
    doc.blocks = keep
    return doc
  end,
}

-- ---------------------------------------------------------------- pass 1 (document order)

local pass1 = {
  traverse = "topdown",

  Header = function(h)
    if h.level == 1 and not h.classes:includes("unnumbered") then
      chapter = chapter + 1
      nfig, ntbl = 0, 0
    end
    if h.level == 1 then chapter_title = stringify(h) end
  end,

  Para = function(p)   -- an image alone in a paragraph is a figure: number its caption
    if #p.content ~= 1 or p.content[1].t ~= "Image" then return nil end
    local img = p.content[1]
    if #img.caption == 0 then return nil end
    local label = number_label("Figure")
    if img.identifier ~= "" then
      if labels[img.identifier] then problem("duplicate id %s", img.identifier) end
      labels[img.identifier] = label
    end
    img.caption = labelled(label, img.caption)
    return pandoc.Para({img})   -- its Image is then visited below (path rewrite)
  end,

  Image = function(img)
    local rest = img.src:match("^figures/(.+)$")
    if not rest then return nil end
    local path = join(figdir, rest)
    if not exists(path) then
      problem("figure %s: missing file %s", img.src, path)
    end
    img.src = path
    return img
  end,

  Div = function(div)
    if div.classes:includes("include") then
      return include(div), false
    elseif div.classes:includes("table") then
      return stat_table(div), false
    elseif div.classes:includes("region") and div.attributes.src then
      return region(div), false
    elseif div.classes:includes("exercise") then
      return exercise(div), false
    end
  end,

  Span = function(span)
    if span.classes:includes("v") and span.attributes.src then return value(span), false end
    if span.classes:includes("claim") then return claim(span), false end
  end,
}

-- ---------------------------------------------------------------- pass 2 (references)

local pass2 = {
  Cite = function(cite)
    for _, c in ipairs(cite.citations) do
      if not c.id:match("^fig:") and not c.id:match("^tbl:") then return nil end  -- not ours
    end
    local out = pandoc.List()
    for i, c in ipairs(cite.citations) do
      if i > 1 then out:extend{pandoc.Str(";"), pandoc.Space()} end
      if #c.prefix > 0 then out:extend(c.prefix); out:insert(pandoc.Space()) end
      local label = labels[c.id]
      if label then
        out:insert(pandoc.Link({pandoc.Str((label:gsub(" ", "\u{00A0}")))}, "#" .. c.id))
      elseif answers_mode then   -- the answer key holds no figure or table: the book's
        out:insert(pandoc.Str("the book's " .. (c.id:match("^fig:") and "figure " or "table ") .. c.id:gsub("^%a+:", "")))
      else
        problems[#problems + 1] = string.format(
          "reference @%s: no figure or table with id #%s", c.id, c.id)
        out:insert(pandoc.Str("@" .. c.id))
      end
      if #c.suffix > 0 then out:extend(c.suffix) end
    end
    return out
  end,

  Pandoc = function(doc)
    doc.blocks = claims_blocks(doc)
    write_claims()
    if #problems > 0 then
      error(string.format("lab.lua: %d problem%s, book not rendered:\n  %s",
        #problems, #problems == 1 and "" or "s", table.concat(problems, "\n  ")), 0)
    end
    return doc
  end,
}

local function read_meta(meta)
  if meta.datadir then datadir = stringify(meta.datadir) end
  if meta.figdir then figdir = stringify(meta.figdir) end
  if meta.gendir then gendir = stringify(meta.gendir) end
  if meta.summarize then summarize_path = stringify(meta.summarize) end
  if meta.claims then claims_file = stringify(meta.claims) end
  if meta.exdir then exdir = stringify(meta.exdir) end
  answers_mode = meta.answers ~= nil and stringify(meta.answers) == "1"
  if meta.only then only_exercise = stringify(meta.only) end
  if meta.exercises then exercises_file = stringify(meta.exercises) end
end

return {{Meta = read_meta}, ex_prefilter, pass1, pass2}
