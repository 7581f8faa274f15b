/* A map of the search results on this page, drawn with Leaflet over the configured tiles.
   The results list stays the page's content: without JavaScript, or without a tile URL, the map
   section stays hidden. Each marker is labelled with its service's name and links to it. */
(function () {
  "use strict";
  var section = document.querySelector("[data-thrive-map]");
  if (!section || typeof window.L === "undefined") { return; }
  var items = document.querySelectorAll(".thrive-results [data-map-lat]");
  if (!items.length) { return; }
  section.hidden = false;
  var holder = section.querySelector(".thrive-map");
  var map = window.L.map(holder, { scrollWheelZoom: false });
  window.L.tileLayer(section.getAttribute("data-tile-url"), {
    maxZoom: 18, attribution: section.getAttribute("data-attribution") || ""
  }).addTo(map);
  var points = [];
  Array.prototype.forEach.call(items, function (item, n) {
    var lat = parseFloat(item.getAttribute("data-map-lat"));
    var lng = parseFloat(item.getAttribute("data-map-lng"));
    if (isNaN(lat) || isNaN(lng)) { return; }
    var name = item.getAttribute("data-map-name");
    var label = (n + 1) + ". " + name;
    var link = document.createElement("a");
    link.href = item.getAttribute("data-map-href");
    link.textContent = name;
    window.L.marker([lat, lng], { title: label, alt: label, keyboard: true })
      .bindPopup(link).addTo(map);
    points.push([lat, lng]);
  });
  if (points.length === 1) {
    map.setView(points[0], 14);
  } else {
    map.fitBounds(points, { padding: [24, 24], maxZoom: 15 });
  }
}());
