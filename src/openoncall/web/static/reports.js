// Draws the Reports page charts with chart.js (installed from npm, served by this server).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  if (typeof Chart === "undefined") return; // assets not installed: the tables still show all
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const bar = (id, labels, datasets) => {
    const canvas = document.getElementById(id);
    if (!canvas) return;
    new Chart(canvas, {
      type: "bar",
      data: { labels, datasets },
      options: { responsive: true, animation: false, scales: { y: { beginAtZero: true } } },
    });
  };
  bar("chart-daily", data.daily.labels, [{ label: "Incidents", data: data.daily.counts }]);
  bar("chart-teams", data.teams.labels, [
    { label: "MTTA (min)", data: data.teams.mtta },
    { label: "MTTR (min)", data: data.teams.mttr },
  ]);
  bar("chart-people", data.people.labels, [
    { label: "On-call hours", data: data.people.hours },
    { label: "Off-hours pages", data: data.people.offHours },
  ]);
});
