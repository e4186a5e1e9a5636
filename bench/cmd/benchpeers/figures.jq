# bench's summary figures (bench/internal/figures) over the window
# [$from, $to): the jq peer of `make bench-peers`.
#   jq -n -c --arg from T --arg to T -f figures.jq FILE.jsonl
# Times compare as text: usagerep-gen writes UTC RFC 3339 to the second;
# the DuckDB peer parses them, so the agreement check would catch a gap.
#
# jq 1.6 copies an object that is still referenced when it is updated, so
# the state is one flat object changed only by top-level setpath, with no
# `//` (which keeps a reference) in the values: each record becomes small
# events, and one reduce applies them. Key prefixes: # counter, e email,
# u username, 2 two-ended entity, 1 one-ended entity, t entity type,
# P project pair's syncs, L its last sync.
def nz: type == "string" and . != "";
# jq 1.6's ascii_downcase explodes every string; most need no change.
def lower: if test("[A-Z]") then ascii_downcase else . end;
def inwin: . >= $from and . < $to;
def success: ((.outcome // "") | lower) as $o
  | $o == "" or $o == "success" or $o == "ok" or $o == "succeeded";
# The order usagerep gives a pair's two ends.
def endkey: [(.[0] | lower), .[0], (.[1] | lower), .[1]];

def events($r):
  ["c", "#records"],
  (if $r.time | inwin then ["c", "#in_window"] else empty end),
  # Observations: the record's own user, each users[] element at its own time.
  (($r, ($r.users // [])[]) | select((.time // $r.time) | inwin)
    | (select(.email | nz) | ["s", "e" + (.email | lower)]),
      (select(.username | nz) | ["s", "u" + (.username | lower)])),
  (select((($r.kind // "") | lower) == "sync" and ($r.time | inwin) and ($r | success)
      and ($r.system | nz) and ($r.peer_system | nz))
    | ["c", "#syncs"],
      ([$r.system, ($r.entity_id // "")] as $a | [$r.peer_system, ($r.peer_entity_id // "")] as $b
        | if $a[1] != "" and $b[1] != "" then ["s", "2" + ([$a, $b] | sort | tojson)]
          elif $a[1] != "" then ["s", "1" + ($a | tojson)]
          elif $b[1] != "" then ["s", "1" + ($b | tojson)]
          else ["c", "#noid"] end),
      (select($r.entity_type | nz) | ["s", "t" + ([$r.system, $r.entity_type] | tojson)]),
      (select($r.peer_entity_type | nz) | ["s", "t" + ([$r.peer_system, $r.peer_entity_type] | tojson)]),
      ([$r.system, ($r.project // "")] as $x | [$r.peer_system, ($r.peer_project // "")] as $y
        | (if ($y | endkey) < ($x | endkey) then [$y, $x] else [$x, $y] end)
        | select(.[0][1] != "" or .[1][1] != "") | tojson
        | ["c", "P" + .], ["m", "L" + ., $r.time]));

reduce (inputs as $r | events($r)) as $e ({};
  if $e[0] == "c" then setpath([$e[1]]; .[$e[1]] + 1)
  elif $e[0] == "s" then setpath([$e[1]]; 1)
  else setpath([$e[1]]; [.[$e[1]], $e[2]] | max) end)
| . as $s
| (reduce (keys_unsorted[] | .[0:1]) as $p ({}; setpath([$p]; .[$p] + 1))) as $n
| {
    records: ($s["#records"] // 0), records_in_window: ($s["#in_window"] // 0),
    distinct_emails: ($n.e // 0), distinct_usernames: ($n.u // 0),
    successful_syncs: ($s["#syncs"] // 0),
    entities_synced: (($n["2"] // 0) + ($n["1"] // 0) + ($s["#noid"] // 0)),
    entity_types: ($n.t // 0),
    project_pairs: [$s | to_entries[] | select(.key | startswith("P")) | .key[1:] as $k
      | ($k | fromjson) as $p
      | {system1: $p[0][0], project1: $p[0][1], system2: $p[1][0], project2: $p[1][1],
         syncs: .value, last_synced: $s["L" + $k]}]
  }
