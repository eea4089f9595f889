import { describe, expect, it } from "vitest";
import { withKernelSession } from "../../../src/harness/kernel-session.js";

describe("withKernelSession", () => {
  it("without resident: the cases' run options hold only the timeout, and there is no kernel", async () => {
    const seen = await withKernelSession("true", { timeoutS: 5 }, async (run, kernel) => ({ run, kernel }));
    expect(seen).toEqual({ run: { timeoutS: 5 }, kernel: undefined });
  });

  it("body's rejection passes through", async () => {
    await expect(
      withKernelSession("true", { timeoutS: 5, resident: false }, async () => {
        throw new Error("body failed");
      }),
    ).rejects.toThrow("body failed");
  });
});
