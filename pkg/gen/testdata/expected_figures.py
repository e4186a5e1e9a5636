#!/usr/bin/env python3
"""Independent check of the figures in testdata/sample/README.md.

Reads the sample files and applies specs 01-input.md, 02-identity.md and
03-usage-reports-zip.md directly, sharing no code with the Go
implementation. Usage:

    python3 pkg/gen/testdata/expected_figures.py testdata/sample [svc-*]

The optional second argument is a service-account glob.
"""
import csv, fnmatch, gzip, io, json, os, re, sys
from collections import defaultdict
from datetime import datetime, timedelta, timezone

AS_OF = datetime(2026, 11, 23, tzinfo=timezone.utc)  # --as-of 2026-11-22, end of day UTC
WINDOWS = {"6m": datetime(2026, 5, 23, tzinfo=timezone.utc),
           "1y": datetime(2025, 11, 23, tzinfo=timezone.utc)}
ACTIVE_WITHIN = timedelta(days=30)

class Reject(Exception):
    pass

def parse_time(v, csv_source):
    if isinstance(v, bool) or v is None:
        raise Reject("missing or unparseable time")
    if isinstance(v, (int, float)) or (csv_source and re.fullmatch(r"\d+", v.strip())):
        n = float(v)
        if abs(n) >= 1e11:
            n /= 1000
        return datetime.fromtimestamp(n, timezone.utc)
    s = v.strip()
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})", s)
    if m:
        return datetime.fromisoformat(m[1] + "T" + m[2] + "+00:00")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", s):
        return datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(timezone.utc)
    raise Reject("unparseable time")

def norm(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v).strip()

def outcome(v):
    s = norm(v).lower()
    if s in ("", "success", "ok", "succeeded"):
        return "success"
    if s in ("failure", "failed", "error"):
        return "failure"
    raise Reject("invalid outcome")

def email_of(v, quality):
    s = norm(v).lower()
    if not s:
        return ""
    local, _, domain = s.partition("@")
    if s.count("@") != 1 or not local or not domain:
        quality["invalid_emails"] += 1
        return ""
    return s

USER_FIELDS = ("email", "username", "display_name", "first_name", "last_name", "company", "user_id")

def records(path):
    """Yields (file, line, dict) for good records; counts rejects."""
    name = os.path.basename(path)
    raw = open(path, "rb").read()
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8")
    q = quality[name]
    if ".csv" in name:
        rows = list(csv.reader(io.StringIO(text)))
        header = rows[0]
        for i, row in enumerate(rows[1:], start=2):
            if not row:
                continue
            q["read"] += 1
            if len(row) != len(header):
                q["rejected"].append((i, "wrong column count"))
                continue
            yield name, i, dict(zip(header, row)), True
    else:
        for i, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            q["read"] += 1
            try:
                obj = json.loads(line)
            except ValueError:
                q["rejected"].append((i, "invalid JSON"))
                continue
            yield name, i, obj, False

quality = defaultdict(lambda: {"read": 0, "rejected": [], "invalid_emails": 0, "syncs_without_peer": 0})
obs = []    # dict(system, email, username, display, svc, t, where)
syncs = []  # dict(...)
anon = []   # times of anonymous observations
good = []   # times of the records that were read without error

def main():
    sample_dir = sys.argv[1]
    pattern = sys.argv[2] if len(sys.argv) > 2 else None
    for fn in sorted(os.listdir(sample_dir)):
        if not re.search(r"\.(jsonl|csv)(\.gz)?$", fn):
            continue
        for name, line, r, is_csv in records(os.path.join(sample_dir, fn)):
            q = quality[name]
            try:
                t = parse_time(r.get("time"), is_csv)
                out = outcome(r.get("outcome"))
            except Reject as e:
                q["rejected"].append((line, str(e)))
                continue
            good.append(t)
            system = norm(r.get("system"))
            kind = norm(r.get("kind")) or "activity"

            def observe(u, system, t, where):
                if not any(norm(u.get(k)) for k in USER_FIELDS) and u.get("service_account") not in (True, "true"):
                    return
                e = email_of(u.get("email"), q)
                un, dn = norm(u.get("username")), norm(u.get("display_name"))
                if not (e or un or dn):
                    anon.append(t)
                    return
                obs.append(dict(system=system, email=e, username=un, display=dn,
                                svc=u.get("service_account") in (True, "true"), t=t, where=where))

            observe(r, system, t, f"{name}:{line}")
            for el in r.get("users") or []:
                et = parse_time(el["time"], False) if "time" in el else t
                observe(el, norm(el.get("system")) or system, et, f"{name}:{line} users[]")
            if kind == "sync":
                peer = norm(r.get("peer_system"))
                if not system or not peer:
                    q["syncs_without_peer"] += 1
                    continue
                syncs.append(dict(t=t, ok=out == "success", where=f"{name}:{line}",
                                  a=(system, norm(r.get("project")), norm(r.get("entity_type")), norm(r.get("entity_id"))),
                                  b=(peer, norm(r.get("peer_project")), norm(r.get("peer_entity_type")), norm(r.get("peer_entity_id"))),
                                  status=norm(r.get("integration_status")).lower(),
                                  updated=parse_time(r["integration_updated"], False) if norm(r.get("integration_updated")) else None))

    print("== data quality (all times) ==")
    for name in sorted(quality):
        q = quality[name]
        print(f"{name}: read {q['read']}, rejected {len(q['rejected'])} {q['rejected']}, "
              f"invalid emails {q['invalid_emails']}, syncs without peer {q['syncs_without_peer']}")
    for w, start in WINDOWS.items():
        report(w, start, pattern)

def pair_name(a, b):
    return tuple(sorted((a, b), key=lambda s: (s.lower(), s)))

def report(w, start, pattern):
    inw = lambda t: start <= t < AS_OF
    print(f"\n== window {w}: [{start:%Y-%m-%d %H:%M}, {AS_OF:%Y-%m-%d %H:%M}) UTC ==")
    print(f"records in window: {sum(1 for t in good if inw(t))} of {len(good)} read without error")
    O = [o for o in obs if inw(o["t"])]
    ids = resolve(O)
    total = len(ids)
    by_class = defaultdict(int)
    for i in ids:
        by_class[i["class"]] += 1
    print(f"users: {total} = class1 {by_class[1]} + class2 {by_class[2]} + class3 {by_class[3]} + class4 {by_class[4]}")
    svc = 0
    for i in ids:
        s = any(O[k]["svc"] for k in i["obs"])
        if pattern:
            s = s or any(fnmatch.fnmatchcase(v.lower(), pattern) for k in i["obs"]
                         for v in (O[k]["email"], O[k]["username"]) if v)
        svc += s
    print(f"service accounts: {svc}; ambiguous: {sum(i['ambiguous'] for i in ids)}; "
          f"anonymous observations: {sum(1 for t in anon if inw(t))}")
    per_sys = defaultdict(lambda: defaultdict(int))
    for i in ids:
        for s in sorted({O[k]["system"] for k in i["obs"]}):
            per_sys[s][i["class"]] += 1
    for s in sorted(per_sys, key=str.lower):
        c = per_sys[s]
        print(f"  {s}: {sum(c.values())} (c1 {c[1]}, c2 {c[2]}, c3 {c[3]}, c4 {c[4]})")
    for i in sorted(ids, key=lambda i: (i["class"], i["label"])):
        dups = duplicates(i, O)
        extra = (" AMBIGUOUS" if i["ambiguous"] else "") + (f" duplicates {dups}" if dups else "")
        print(f"    c{i['class']} {i['label']}: {sorted({O[k]['system'] for k in i['obs']})}{extra}")

    # Syncs.
    S = [s for s in syncs if s["ok"] and inw(s["t"])]
    ent = defaultdict(set)
    last = {}
    for n, s in enumerate(S):
        a, b = s["a"], s["b"]
        ka, kb = (a[0], a[3]) if a[3] else None, (b[0], b[3]) if b[3] else None
        key = frozenset((ka, kb)) if ka and kb else (ka or kb or ("record", n))
        p = pair_name(a[0], b[0])
        ent[p].add(key)
        last[p] = max(last.get(p, s["t"]), s["t"])
    projects = {(e[0], e[1]) for s in S for e in (s["a"], s["b"]) if e[1]}
    types = {(e[0], e[2]) for s in S for e in (s["a"], s["b"]) if e[2]}
    print(f"entities synced: {sum(len(v) for v in ent.values())}; projects: {len(projects)}; entity types: {len(types)}")
    print(f"  projects: {sorted(projects)}")
    print(f"  entity types: {sorted(types)}")
    for p in sorted(ent):
        print(f"  pair {p[0]} <-> {p[1]}: {len(ent[p])} entities, last synced {last[p]:%Y-%m-%d %H:%M}")

    def status(scope, last_ok):
        st = [s for s in syncs if s["t"] < AS_OF and s["status"] and scope(s)]
        if st:
            return max(st, key=lambda s: s["t"])["status"].capitalize()
        return "Active" if last_ok >= AS_OF - ACTIVE_WITHIN else "Inactive"

    def ppair(s):
        return tuple(sorted([(s["a"][0], s["a"][1]), (s["b"][0], s["b"][1])], key=lambda e: (e[0].lower(), e[1])))
    rows = defaultdict(list)
    for s in S:
        rows[ppair(s)].append(s)
    print("  project pairs:")
    for k in sorted(rows):
        ls = max(s["t"] for s in rows[k])
        upd = [s["updated"] for s in syncs if inw(s["t"]) and ppair(s) == k and s["updated"]]
        print(f"    {k[0]} <-> {k[1]}: status {status(lambda s: ppair(s) == k, ls)}, "
              f"last updated {max(upd).strftime('%Y-%m-%d %H:%M') if upd else '-'}, last synced {ls:%Y-%m-%d %H:%M}")
    et = defaultdict(list)
    for s in S:
        for e in (s["a"], s["b"]):
            if e[2]:
                et[(pair_name(s["a"][0], s["b"][0]), e[0], e[2])].append(s)
    print("  entity type rows:")
    for k in sorted(et):
        ls = max(s["t"] for s in et[k])
        scope = lambda s, k=k: pair_name(s["a"][0], s["b"][0]) == k[0] and any(e[0] == k[1] and e[2] == k[2] for e in (s["a"], s["b"]))
        print(f"    {k[0][0]} <-> {k[0][1]} | {k[1]} | {k[2]}: {status(scope, ls)}, last synced {ls:%Y-%m-%d %H:%M}")

def duplicates(i, O):
    per_email = defaultdict(dict)  # email -> username(lower) -> set(systems)
    for k in i["obs"]:
        o = O[k]
        if o["email"] and o["username"]:
            per_email[o["email"]].setdefault(o["username"].lower(), set()).add(o["system"])
    out = []
    for e, users in per_email.items():
        systems = set().union(*users.values())
        if len(users) >= 2 and len(systems) >= 2:
            out += [f"{u} ({s})" for u in sorted(users) for s in sorted(users[u])]
    return out

class UF:
    def __init__(self):
        self.p = {}
    def find(self, x):
        self.p.setdefault(x, x)
        while self.p[x] != x:
            self.p[x] = self.p[self.p[x]]
            x = self.p[x]
        return x
    def union(self, a, b):
        self.p[self.find(a)] = self.find(b)

def dnorm(s):
    return " ".join(s.lower().split())

def resolve(O):
    ids = []
    def new(cls, label, ambiguous=False):
        ids.append(dict(cls=cls, **{"class": cls}, label=label, obs=[], ambiguous=ambiguous))
        return len(ids) - 1
    lp = lambda e: e.split("@")[0]
    c1 = [k for k, o in enumerate(O) if o["email"] and o["username"]]
    c2 = [k for k, o in enumerate(O) if o["email"] and not o["username"]]
    c3 = [k for k, o in enumerate(O) if not o["email"] and o["display"]]
    c4 = [k for k, o in enumerate(O) if not o["email"] and not o["display"] and o["username"]]
    # Class 1: union-find over {u, lp(email)}.
    uf = UF()
    for k in c1:
        uf.union(O[k]["username"].lower(), lp(O[k]["email"]))
    key_owner, comp = {}, {}
    for k in c1:
        root = uf.find(O[k]["username"].lower())
        if root not in comp:
            comp[root] = new(1, O[k]["email"])
        ids[comp[root]]["obs"].append(k)
    for key in list(uf.p):
        key_owner[key] = comp[uf.find(key)]
    # Class 2: join by local part, else group by email.
    groups = {}
    for k in c2:
        e = O[k]["email"]
        if lp(e) in key_owner:
            ids[key_owner[lp(e)]]["obs"].append(k)
        else:
            if e not in groups:
                groups[e] = new(2, e)
            ids[groups[e]]["obs"].append(k)
    # Class 3: union-find over {d, u} in separate key spaces.
    uf3 = UF()
    for k in c3:
        d = "d:" + dnorm(O[k]["display"])
        uf3.find(d)
        if O[k]["username"]:
            uf3.union(d, "u:" + O[k]["username"].lower())
    carriers = defaultdict(set)  # display -> identities of class 1/2 carrying it
    for n, i in enumerate(ids):
        for k in i["obs"]:
            if O[k]["display"]:
                carriers[dnorm(O[k]["display"])].add(n)
    comps = defaultdict(list)
    for k in c3:
        comps[uf3.find("d:" + dnorm(O[k]["display"]))].append(k)
    user3 = defaultdict(set)  # username -> identities its class-3 observations ended in
    for root, ks in sorted(comps.items()):
        cand = set()
        for k in ks:
            u = O[k]["username"].lower()
            if u and u in key_owner:
                cand.add(key_owner[u])
            cand |= carriers.get(dnorm(O[k]["display"]), set())
        if len(cand) == 1:
            target = cand.pop()
        else:
            target = new(3, O[ks[0]]["display"], ambiguous=len(cand) > 1)
        ids[target]["obs"] += ks
        for k in ks:
            if O[k]["username"]:
                user3[O[k]["username"].lower()].add(target)
    # Class 4: group by username.
    groups4 = {}
    for k in c4:
        u = O[k]["username"].lower()
        if u in key_owner:
            ids[key_owner[u]]["obs"].append(k)
        elif len(user3.get(u, ())) == 1:
            ids[next(iter(user3[u]))]["obs"].append(k)
        else:
            if u not in groups4:
                groups4[u] = new(4, u)
            ids[groups4[u]]["obs"].append(k)
    return ids

if __name__ == "__main__":
    main()
