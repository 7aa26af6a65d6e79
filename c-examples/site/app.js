// The demo page's buttons: each one calls a handler of c-examples/embedder.c.
"use strict";

const $ = (id) => document.getElementById(id);

// Which library answered: the Server header of this page.
fetch("./", { method: "HEAD", cache: "no-store" })
  .then((res) => {
    const server = res.headers.get("server");
    if (server) $("server").innerHTML = "Served by <code></code>.";
    if (server) $("server").querySelector("code").textContent = server;
  })
  .catch(() => {});

// POST echo: send the textarea, show what came back.
$("echo-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const out = $("echo-output");
  try {
    const res = await fetch("/post-test", {
      method: "POST",
      headers: { "Content-Type": "text/plain; charset=utf-8" },
      body: $("echo-input").value,
    });
    out.textContent = `${res.status} ${res.statusText}, ${res.headers.get("content-length")} bytes:\n${await res.text()}`;
  } catch (err) {
    out.textContent = `request failed: ${err}`;
  }
});

// Streaming: read the body piece by piece as it arrives.
$("stream-button").addEventListener("click", async () => {
  const button = $("stream-button");
  const out = $("stream-output");
  button.disabled = true;
  out.textContent = "";
  try {
    const res = await fetch("/chunked", { cache: "no-store" });
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      out.textContent += decoder.decode(value, { stream: true });
    }
  } catch (err) {
    out.textContent += `\nrequest failed: ${err}`;
  } finally {
    button.disabled = false;
  }
});

// The request as the server saw it.
$("headers-button").addEventListener("click", async () => {
  const out = $("headers-output");
  try {
    const res = await fetch("/headers", { cache: "no-store", headers: { "X-Demo": "clicked" } });
    out.textContent = await res.text();
  } catch (err) {
    out.textContent = `request failed: ${err}`;
  }
});
