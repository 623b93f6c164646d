/** Failed test cases in `hostileJunitReport()`. */
export const HOSTILE_JUNIT_FAILURES = 120;

/** Nine levels of ten-fold entities: a billion `lol`s if a parser expanded them. */
const ENTITY_BOMB = [
  '<!ENTITY lol "lol">',
  ...Array.from({ length: 9 }, (_, index) => `<!ENTITY lol${index + 1} "${`&lol${index === 0 ? "" : index};`.repeat(10)}">`),
].join("");

/**
 * Returns a JUnit report built to hurt: a DOCTYPE with an entity bomb, failures on absurd lines
 * (huge, negative, not a number), a megabyte-long message and details full of escape codes and
 * workflow commands, and more failures than fit in one annotation request.
 */
export function hostileJunitReport(): string {
  const hostileText = "\u001b[31m::set-output name=token::stolen\u001b[0m\n::add-mask::x\n##[error]fake\n\u001b]8;;https://attacker.invalid/\u0007link\u001b]8;;\u0007";
  const cases = [
    `<testcase name="bomb" file="src/a.js" line="2"><failure message="&lol9;">&lol9;</failure></testcase>`,
    `<testcase name="far" file="src/a.js" line="99999999999999999999"><failure message="far away"/></testcase>`,
    `<testcase name="negative" file="src/a.js" line="-5"><failure message="below zero"/></testcase>`,
    `<testcase name="nan" file="src/a.js" line="NaN"><failure message="not a number"/></testcase>`,
    `<testcase name="huge" file="src/a.js" line="3"><failure message="${"m".repeat(1_000_000)}">${"d".repeat(1_000_000)}</failure></testcase>`,
    `<testcase name="${escapeXml(hostileText)}" file="src/a.js" line="4"><failure message="${escapeXml(hostileText)}"><![CDATA[${hostileText}]]></failure></testcase>`,
  ];
  for (let index = cases.length; index < HOSTILE_JUNIT_FAILURES; index += 1) {
    cases.push(`<testcase name="case ${index}" file="src/b.js" line="${index}"><failure message="failure ${index}"/></testcase>`);
  }
  return `<?xml version="1.0"?>\n<!DOCTYPE lolz [${ENTITY_BOMB}]>\n<testsuite name="hostile" tests="${cases.length}">${cases.join("")}</testsuite>\n`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;").replace(/\u001b/g, "&#27;").replace(/\u0007/g, "&#7;").replace(/\n/g, "&#10;");
}
