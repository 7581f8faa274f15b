/* A map of the search results on this page, drawn with Leaflet over the configured tiles.
   The results list stays the page's content: without JavaScript, or without a tile URL, the map
   section stays hidden. Each marker shows its number in the list and is labelled with the
   service's name. */
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
  Array.prototype.forEach.call(items, function (item) {
    var lat = parseFloat(item.getAttribute("data-map-lat"));
    var lng = parseFloat(item.getAttribute("data-map-lng"));
    if (isNaN(lat) || isNaN(lng)) { return; }
    points.push({ at: [lat, lng], number: item.getAttribute("data-map-number"),
                  name: item.getAttribute("data-map-name") });
  });
  if (points.length === 1) {
    map.setView(points[0].at, 14);
  } else {
    map.fitBounds(points.map(function (p) { return p.at; }), { padding: [24, 24], maxZoom: 15 });
  }
  // Markers are numbered, labelled pictures, not buttons: services close together would put
  // their markers on top of each other, too small to tap (WCAG 2.5.8). Each service is opened
  // from the list, which carries the same numbers once the map is drawn.
  points.forEach(function (p) {
    var icon = window.L.divIcon({ className: "thrive-map-marker", html: "", iconSize: [28, 28] });
    var marker = window.L.marker(p.at, { icon: icon, interactive: false, keyboard: false })
      .addTo(map);
    var element = marker.getElement();
    element.textContent = p.number;
    element.setAttribute("role", "img");
    element.setAttribute("aria-label", p.number + ". " + p.name);
  });
  section.parentNode.querySelector(".thrive-results").classList.add("thrive-results--mapped");
}());
