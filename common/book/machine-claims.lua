-- common/book/machine-claims.lua -- a chapter's claims alone, moved onto one machine's data,
-- for the appendix "Across machines" (common/appendix evaluate). It evaluates nothing: its
-- output, markdown, goes through common/book/render, whose lab.lua evaluates every claim
-- exactly as in the book, with datadir the machine's directory.
--
--   pandoc -f markdown -t markdown -s --lua-filter common/book/machine-claims.lua \
--       -M machine=DATA/machines/M -M gen=GEN/M -M missing=FILE chapters/NN-slug/NN-slug.md
--
-- Out: the chapter's heading, then each claim in its own paragraph, a summary src= (and
-- that of each value it quotes) moved to GEN/M, where the appendix makes the machine's
-- summaries; a run CSV's src= stays relative, under datadir. Left out: a claim about data
-- no machine holds, only the chapters' runs (make merge takes nothing else): the reference
-- run's (src="data/..."), the exercises' (src="ex/..."). And a claim whose data the machine
-- lacks (e.g. a pass it did not run), which lab.lua would call a problem, not a claim, is
-- written to FILE instead, as a row of lab.lua's list of claims, not evaluated.

local stringify = pandoc.utils.stringify

return {{Pandoc = function(doc)
  local machine, gen, missing = stringify(doc.meta.machine or ""), stringify(doc.meta.gen or ""),
                                stringify(doc.meta.missing or "")
  if machine == "" or gen == "" or missing == "" then
    error("machine-claims.lua: needs the metadata machine, gen and missing", 0)
  end
  local title, heading = "", nil
  local paras, lacking = pandoc.List(), {}

  local function exists(path)
    local f = io.open(path, "rb")
    if f then f:close() end
    return f ~= nil
  end
  -- A span's src= moved to the machine (a summary under gen); false when the file is not there.
  local function move(span, absent)
    local src = span.attributes.src
    if not src or src:match("^data/") or src:match("^/") then return end
    local summary = src:match("%.summary%.csv$")
    local path = (summary and gen or machine) .. "/" .. src
    if summary then span.attributes.src = path end
    if not exists(path) then absent[#absent + 1] = src end
  end

  local function claim(span)
    if not (span.attributes.src or ""):match("^%d%d%-[^/]+/") then return end   -- not a chapter's run
    local absent = {}
    move(span, absent)
    span = pandoc.walk_inline(span, {Span = function(v)
      if v.classes:includes("v") then move(v, absent); return v end
    end})
    if #absent == 0 then
      paras:insert(pandoc.Para({span}))
    else
      lacking[#lacking + 1] = string.format("%s\tskipped\t%s\tno data on this machine: %s\n",
        title, stringify(span), table.concat(absent, ", "))
    end
  end

  -- In document order: the chapter's heading (its title names the claims in lab.lua's list),
  -- then its claims, in paragraphs and figure captions alike.
  for _, b in ipairs(doc.blocks) do
    if b.t == "Header" and b.level == 1 and not heading then
      heading, title = b, stringify(b)
    end
    pandoc.walk_block(b, {Span = function(s)
      if s.classes:includes("claim") then claim(s) end
    end})
  end
  if not heading then error("machine-claims.lua: the chapter has no level-1 heading", 0) end

  local f = io.open(missing, "w")
  if not f then error("machine-claims.lua: cannot write " .. missing, 0) end
  f:write(table.concat(lacking))
  f:close()
  paras:insert(1, heading)
  return pandoc.Pandoc(paras, pandoc.Meta({title = "Claims of " .. title}))
end}}
