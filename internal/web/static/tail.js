// Tail page: follows the log by polling api/tail from the offset the page
// was rendered at. Text is appended as text nodes, never parsed as HTML.
'use strict';

(() => {
  const POLL_MS = 1000;
  const MAX_CHARS = 2000000; // keep the page light: drop the oldest half beyond this

  const log = document.getElementById('log');
  const status = document.getElementById('tailstatus');
  const followBtn = document.getElementById('follow');
  const wrapBtn = document.getElementById('wrap');
  const live = document.getElementById('live');
  const errorLine = document.getElementById('tailerror');

  const name = log.dataset.processname;
  const channel = log.dataset.channel;
  let offset = Number(log.dataset.offset) || 0;
  let following = log.dataset.follow === 'true';
  let timer = 0;

  wrapBtn.hidden = false;
  wrapBtn.addEventListener('click', () => {
    const on = wrapBtn.getAttribute('aria-pressed') !== 'true';
    wrapBtn.setAttribute('aria-pressed', String(on));
    log.classList.toggle('wrap', on);
  });

  function atBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 24;
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function setLive(on, text) {
    live.dataset.live = on ? 'on' : 'off';
    live.textContent = text;
  }

  function append(text) {
    if (!text) return;
    const stick = atBottom();
    log.append(document.createTextNode(text));
    if (log.textContent.length > MAX_CHARS) {
      log.textContent = log.textContent.slice(-MAX_CHARS / 2);
    }
    if (stick) scrollDown();
  }

  async function poll() {
    timer = 0;
    if (!following) return;
    if (document.hidden) {
      timer = setTimeout(poll, POLL_MS);
      return;
    }
    let delay = POLL_MS;
    try {
      const q = new URLSearchParams({ processname: name, channel, offset: String(offset) });
      const res = await fetch('api/tail?' + q, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      const reply = await res.json();
      if (!res.ok) throw new Error(reply.error || res.statusText);
      if (reply.reset) {
        append('\n==> log rotated or cleared <==\n');
      }
      append(reply.data);
      offset = reply.offset;
      if (errorLine && log.textContent) errorLine.hidden = true;
      setLive(true, 'following');
      status.textContent = 'Updated ' + new Date().toLocaleTimeString();
    } catch (err) {
      setLive(false, 'offline');
      status.textContent = 'Cannot follow the log: ' + err.message;
      delay = POLL_MS * 5;
    }
    if (following && !timer) timer = setTimeout(poll, delay);
  }

  function setFollow(on) {
    following = on;
    followBtn.setAttribute('aria-pressed', String(on));
    followBtn.textContent = on ? 'Following' : 'Paused';
    if (on) {
      scrollDown();
      if (!timer) poll();
    } else {
      clearTimeout(timer);
      timer = 0;
      setLive(false, 'paused');
      status.textContent = 'Paused';
    }
  }

  scrollDown();
  if (log.dataset.follow === 'true') {
    followBtn.hidden = false;
    followBtn.addEventListener('click', () => setFollow(!following));
    setFollow(true);
  }
})();
