import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { proxy } from "../../src/proxy.js";

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name = "", ...values]) => [name, values]),
  );
}

describe("page security headers (proxy)", () => {
  it("allows WebAssembly compilation but no JS eval, scripts only by nonce", () => {
    const res = proxy(new NextRequest("http://localhost/"));
    const csp = res.headers.get("content-security-policy") ?? "";
    const script = directives(csp).get("script-src") ?? [];
    expect(script).toContain("'wasm-unsafe-eval'");
    expect(script).not.toContain("'unsafe-eval'");
    expect(script).not.toContain("'unsafe-inline'");
    expect(script.some((v) => /^'nonce-[A-Za-z0-9+/=]+'$/.test(v))).toBe(true);
    // Model files and the WASM binaries come from our own origin only.
    expect(directives(csp).get("connect-src")).toEqual(["'self'"]);
    expect(directives(csp).get("object-src")).toEqual(["'none'"]);
  });

  it("lets this origin (and no other) use the camera, nothing else sensitive", () => {
    const res = proxy(new NextRequest("http://localhost/"));
    const policy = res.headers.get("permissions-policy") ?? "";
    expect(policy.split(/,\s*/)).toEqual(["camera=(self)", "microphone=()", "geolocation=()", "payment=()", "usb=()"]);
  });
});
