// The index page's search box: MiniSearch over the deals, as you type. Without JavaScript the
// box stays hidden and the full list of deals is there instead.
(() => {
  const form = document.getElementById("search");
  const input = document.getElementById("search-box");
  const status = document.getElementById("search-status");
  const list = document.getElementById("deals");
  const data = JSON.parse(document.getElementById("search-data").textContent);
  const index = new MiniSearch(data.options);
  index.addAll(data.documents);

  const items = new Map([...list.children].map((item) => [item.dataset.id, item]));
  const order = [...items.keys()];

  const show = () => {
    const query = input.value.trim();
    if (query === "") {
      for (const id of order) {
        items.get(id).hidden = false;
        list.append(items.get(id));
      }
      status.textContent = "";
      return;
    }
    const hits = index.search(query, data.searchOptions).filter((hit) => items.has(hit.id));
    const found = new Set(hits.map((hit) => hit.id));
    for (const id of order) items.get(id).hidden = !found.has(id);
    for (const hit of hits) list.append(items.get(hit.id));
    status.textContent =
      hits.length === 0
        ? "No deal matches; try a company's name or fewer words."
        : `${hits.length} ${hits.length === 1 ? "deal matches" : "deals match"}.`;
  };

  form.hidden = false;
  form.addEventListener("submit", (event) => event.preventDefault());
  input.addEventListener("input", show);
  show();
})();
