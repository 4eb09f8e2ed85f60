"use strict";
/**
 * One WebSocket frame per MQTT packet (src/navien/mqtt/ws-frames.ts): mqtt-packet writes pieces inside
 * a cork, and the stream `ws` builds sends each piece as its own frame unless it has `_writev`.
 * Real `ws` server and client on loopback, real mqtt-packet writer and parser.
 */
const assert = require("node:assert/strict");
const { WebSocketServer, WebSocket, createWebSocketStream } = require("ws");
const mqttPacket = require("mqtt-packet");
const { coalesceFrames } = require("../../nodes/lib/navien/mqtt/ws-frames.js");
const { until } = require("../support/until");

describe("Navien MQTT over WebSocket: frames", () => {
  let wss;
  let url;
  let frames;
  let received;
  before(async () => {
    wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((r) => wss.once("listening", r));
    url = `ws://127.0.0.1:${wss.address().port}`;
    wss.on("connection", (ws) => {
      const parser = mqttPacket.parser({ protocolVersion: 4 });
      parser.on("packet", (p) => received.push(p));
      ws.on("message", (data) => {
        frames.push(Buffer.from(data));
        parser.parse(Buffer.from(data));
      });
    });
  });
  after(() => new Promise((r) => wss.close(r)));
  beforeEach(() => {
    frames = [];
    received = [];
  });

  /** A client stream as mqtt.js builds it (createWebSocketStream), optionally with coalesceFrames. */
  async function client(coalesce, writeBeforeOpen) {
    const ws = new WebSocket(url);
    const stream = createWebSocketStream(ws);
    if (coalesce) coalesceFrames(stream);
    writeBeforeOpen?.(stream);
    await new Promise((r) => (ws.readyState === WebSocket.OPEN ? r() : ws.once("open", r)));
    return { stream, close: () => new Promise((r) => (ws.once("close", r), ws.close())) };
  }
  const publish = { cmd: "publish", topic: "cmd/52/navilink-a1b2c3d4e5f6/st", payload: Buffer.from('{"a":1}'), qos: 1, messageId: 7, retain: false, dup: false };
  const puback = (id) => ({ cmd: "puback", messageId: id });
  const parsed = () => `packets parsed (${received.length} so far)`;

  it("without it (the cause): one PUBLISH leaves as several frames", async () => {
    const c = await client(false);
    mqttPacket.writeToStream(publish, c.stream);
    await until(() => received.length === 1, 1_000, parsed, 5);
    assert.equal(received.length, 1);
    assert.ok(frames.length > 1, `${frames.length} frame(s)`);
    await c.close();
  });

  it("a PUBLISH is one frame, and the broker parses it back exactly", async () => {
    const c = await client(true);
    mqttPacket.writeToStream(publish, c.stream);
    await until(() => received.length === 1, 1_000, parsed, 5);
    assert.equal(frames.length, 1);
    assert.equal(received[0].topic, publish.topic);
    assert.equal(received[0].messageId, 7);
    assert.equal(received[0].payload.toString(), '{"a":1}');
    await c.close();
  });

  it("acknowledgements written in one tick leave as one frame, in order; later ones as a new frame", async () => {
    const c = await client(true);
    for (let id = 1; id <= 50; id++) mqttPacket.writeToStream(puback(id), c.stream);
    await until(() => received.length === 50, 1_000, parsed, 5);
    assert.equal(frames.length, 1);
    assert.deepEqual(received.map((p) => p.messageId), Array.from({ length: 50 }, (_, i) => i + 1));
    await new Promise((r) => setTimeout(r, 10));
    mqttPacket.writeToStream(puback(51), c.stream);
    await until(() => received.length === 51, 1_000, parsed, 5);
    assert.equal(frames.length, 2);
    assert.equal(received[50].messageId, 51);
    await c.close();
  });

  it("what is written before the socket opens (the CONNECT) arrives whole and first", async () => {
    const connect = { cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, clientId: "navien-nodered-test", keepalive: 60 };
    const c = await client(true, (s) => {
      mqttPacket.writeToStream(connect, s);
      mqttPacket.writeToStream(publish, s);
    });
    await until(() => received.length === 2, 1_000, parsed, 5);
    assert.deepEqual(received.map((p) => p.cmd), ["connect", "publish"]);
    assert.equal(received[0].clientId, "navien-nodered-test");
    assert.ok(frames.length <= 2, `${frames.length} frames`);
    await c.close();
  });
});
