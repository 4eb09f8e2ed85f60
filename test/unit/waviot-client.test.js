"use strict";
/** Client details not covered by a vector: the Set-Cookie jar and server-local history times. */
const assert = require("node:assert/strict");
const { WaviotClient } = require("../../nodes/lib/waviot/client.js");
const { Deadline } = require("../../nodes/lib/core/deadline.js");
const { parseLocal } = require("../../nodes/lib/waviot/history.js");
const { startReplayServer, mintJwt } = require("../simulator/waviot");

describe("WAVIoT client details", () => {
  let srv;
  before(async () => (srv = await startReplayServer()));
  after(async () => srv.close());

  it("adopts ck/rt/sessid/WAVIOT_JWT from Set-Cookie (and nothing else), and logs out with them", async () => {
    const jwt1 = mintJwt({ exp: Math.floor(Date.now() / 1000) + 3600 });
    const jwt2 = mintJwt({ exp: Math.floor(Date.now() / 1000) + 7200 });
    srv.script.push(
      { status: 200, body: { sc: "sc-one-1111", rt: "rt-one-1111", sessid: "sessid-one-1111", WAVIOT_JWT: jwt1 } },
      { status: 200, headers: { "set-cookie": [`WAVIOT_JWT=${jwt2}; path=/`, "ck=ck-two-2222; HttpOnly", "other=zzz"] }, body: {} },
      { status: 200, body: {} },
      { status: 200, body_text: "" },
    );
    const c = new WaviotClient({ authUrl: srv.url, login: "a@b.c", password: "pw-1234" });
    await c.run("whoami", undefined, new Deadline(5000));
    await c.run("whoami", undefined, new Deadline(5000));
    await c.close();
    const [, , second, logout] = srv.requests;
    assert.equal(second.headers.cookie, `ck=ck-two-2222; rt=rt-one-1111; sessid=sessid-one-1111; WAVIOT_JWT=${jwt2}`);
    assert.equal(second.headers.authorization, `bearer ${jwt2}`);
    assert.match(logout.url, /action=user-logout/);
    assert.equal(logout.headers.cookie, second.headers.cookie);
  });

  it("reads date_time in the user's IANA zone (DST aware), else at +03:00", () => {
    assert.equal(new Date(parseLocal("01.07.2024 12:00:00", "Europe/Berlin")).toISOString(), "2024-07-01T10:00:00.000Z");
    assert.equal(new Date(parseLocal("01.01.2024 12:00:00", "Europe/Berlin")).toISOString(), "2024-01-01T11:00:00.000Z");
    assert.equal(new Date(parseLocal("25.07.2019 11:51:08")).toISOString(), "2019-07-25T08:51:08.000Z");
    assert.equal(parseLocal("32.13.2019 11:51:08"), null);
  });
});
