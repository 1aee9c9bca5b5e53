#!/usr/bin/env bash
# Rebuild static/basemap/countries-50m.geojson, the offline base map: Natural Earth 1:50m
# country outlines (public domain) from the npm package world-atlas, converted from TopoJSON
# with topojson-client, coordinates rounded to 0.001 degree. Needs node and npm.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
cd "$work"
npm init -y >/dev/null
npm install --silent world-atlas@2.0.2 topojson-client@3
node -e "
const tc = require('topojson-client'), fs = require('fs');
const topo = JSON.parse(fs.readFileSync('node_modules/world-atlas/countries-50m.json'));
const fc = tc.feature(topo, topo.objects.countries);
const round = a => Array.isArray(a[0]) ? a.map(round) : a.map(x => Math.round(x * 1000) / 1000);
fc.features.forEach(f => { f.geometry.coordinates = round(f.geometry.coordinates);
  f.properties = {name: f.properties.name}; delete f.id; });
fs.writeFileSync(process.argv[1], JSON.stringify(fc));
" "$here/static/basemap/countries-50m.geojson"
rm -rf "$work"
