import { JUNIT_SUMMARY_FORMAT, MAX_TERMINATION_MESSAGE_BYTES } from "../../pipeline/junit-summary.ts";

/**
 * POSIX awk program that reads a JUnit XML report and prints its junit-summary/v1 JSON summary
 * (see `src/pipeline/junit-summary.ts`) in at most `max` bytes, the size of a termination message.
 * It streams the file record by record (RS is ">"), so large reports stay cheap. For each failed
 * case it keeps the name, classname, file and line attributes, the first line of the message and
 * the first repository stack frame (`path:line` or Python's `File "...", line N`). Run it with LC_ALL=C so
 * that lengths count bytes. Tested with mawk and the one true awk; it uses no gawk extensions.
 * NOTE: a ">" or a quote inside CDATA of a failure body can end a body early or hide its frame.
 */
export const JUNIT_SUMMARY_AWK = String.raw`function unent(s) {
  gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s); gsub(/&quot;/, "\"", s); gsub(/&apos;/, "'", s)
  gsub(/&#10;|&#xA;|&#xa;/, "\n", s); gsub(/&#13;|&#xD;|&#xd;/, "", s); gsub(/&#9;/, "\t", s)
  gsub(/&amp;/, "\\&", s)
  return s
}
function attr(tag, key,    v) {
  if (match(tag, "[ \t\r\n]" key "=\"[^\"]*\"") || match(tag, "[ \t\r\n]" key "='[^']*'")) {
    v = substr(tag, RSTART + length(key) + 3, RLENGTH - length(key) - 4)
    return unent(v)
  }
  return ""
}
function firstline(s) {
  sub(/^[ \t\r\n]+/, "", s)
  if (match(s, /[\r\n]/)) s = substr(s, 1, RSTART - 1)
  return s
}
function esc(s, limit,    out, i, c) {
  if (length(s) > limit) s = substr(s, 1, limit)
  out = ""
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (c == "\\") out = out "\\\\"
    else if (c == "\"") out = out "\\\""
    else if (c == "\t") out = out "\\t"
    else if (c == "\n") out = out "\\n"
    else if (c >= " ") out = out c
  }
  return out
}
function field(key, value, limit) {
  return value == "" ? "" : ",\"" key "\":\"" esc(value, limit) "\""
}
function findframe(text,    rest, candidate) {
  if (frame != "") return
  if (match(text, /File "[^"]+", line [0-9]+/)) { frame = substr(text, RSTART, RLENGTH); return }
  rest = text
  while (match(rest, /[^ \t\r\n:()'"<>{},;]+\.[A-Za-z0-9]+:[0-9]+/)) {
    candidate = substr(rest, RSTART, RLENGTH)
    rest = substr(rest, RSTART + RLENGTH)
    sub(/^\/\/\//, "/", candidate)
    if (candidate !~ /\// || candidate ~ /(^|\/)node_modules\// || (candidate ~ /^\// && candidate !~ /^\/workspace\//)) continue
    frame = candidate
    return
  }
}
function quotesopen(s,    tagpart) {
  tagpart = substr(s, index(s, "<"))
  return gsub(/"/, "\"", tagpart) % 2 == 1
}
function endcase(    kind, message, type, entry) {
  if (hasfailure) { failed++; kind = "failure"; message = fmessage; type = ftype }
  else if (haserror) { errors++; kind = "error"; message = emessage; type = etype }
  else { if (hasskipped) skipped++; incase = 0; return }
  if (message == "") message = bodyline
  if (message == "") message = type
  entry = "{\"kind\":\"" kind "\"" field("name", cname, 200) field("classname", cclass, 200) field("file", cfile, 200) field("line", cline, 12) field("message", firstline(message), 300) field("frame", frame, 300) "}"
  if (length(cases) + length(entry) + 1 > max - reserve) omitted++
  else cases = cases (cases == "" ? "" : ",") entry
  incase = 0
}
BEGIN { RS = ">"; if (max == "") max = 4096; if (reserve == "") reserve = 200; tests = failed = errors = skipped = omitted = 0; cases = ""; inbody = ""; found = 0 }
{
  record = $0
  # A ">" inside a quoted attribute value ends the record early, so join the records back.
  if (inbody == "" && index(record, "<") > 0) while (quotesopen(record) && (getline more) > 0) record = record ">" more
  start = index(record, "<")
  if (start == 0) { if (inbody != "") findframe(record); next }
  text = substr(record, 1, start - 1)
  tag = substr(record, start + 1)
  if (inbody != "") {
    findframe(text)
    if (bodyline == "") bodyline = firstline(unent(text))
    if (tag ~ /^\/(failure|error)[ \t\r\n]*$/) inbody = ""
    next
  }
  if (tag ~ /^testsuites?([ \t\r\n\/]|$)/) { found = 1; next }
  if (tag ~ /^testcase([ \t\r\n\/]|$)/) {
    found = 1; tests++; incase = 1
    cname = attr(tag, "name"); cclass = attr(tag, "classname"); cfile = attr(tag, "file"); cline = attr(tag, "line")
    hasfailure = haserror = hasskipped = 0; fmessage = emessage = ftype = etype = frame = bodyline = ""
    if (tag ~ /\/$/) endcase()
    next
  }
  if (!incase) next
  if (tag ~ /^failure([ \t\r\n\/]|$)/ || tag ~ /^error([ \t\r\n\/]|$)/) {
    if (tag ~ /^failure/) { if (!hasfailure) { hasfailure = 1; fmessage = attr(tag, "message"); ftype = attr(tag, "type") } }
    else if (!haserror) { haserror = 1; emessage = attr(tag, "message"); etype = attr(tag, "type") }
    findframe(attr(tag, "message"))
    if (tag !~ /\/$/) inbody = "open"
    next
  }
  if (tag ~ /^skipped([ \t\r\n\/]|$)/) { hasskipped = 1; next }
  if (tag ~ /^\/testcase[ \t\r\n]*$/) endcase()
}
END {
  if (!found) { printf "{\"paddock\":\"junit-summary/v1\",\"problem\":\"the file has no testsuite or testcase element, so it is not a JUnit report\"}"; exit 0 }
  printf "{\"paddock\":\"junit-summary/v1\",\"tests\":%d,\"failed\":%d,\"errors\":%d,\"skipped\":%d,\"omitted\":%d,\"cases\":[%s]}", tests, failed, errors, skipped, omitted, cases
}
`;

/** Bytes the awk program keeps free for the counts around the cases; the header takes at most about 150. */
export const SUMMARY_HEADER_RESERVE_BYTES = 200;

/** The `-v` assignments that bound the program's output to one termination message. */
export const JUNIT_SUMMARY_AWK_VARIABLES = [`max=${MAX_TERMINATION_MESSAGE_BYTES}`, `reserve=${SUMMARY_HEADER_RESERVE_BYTES}`] as const;

/** A summary that reports a problem instead of counts, as the shell wrapper writes it. */
export function summaryProblemJson(problem: string): string {
  return JSON.stringify({ paddock: JUNIT_SUMMARY_FORMAT, problem });
}
