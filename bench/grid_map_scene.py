"""Benchmark: the map page's scene — a village (2,000 household markers, 100 grid polygons) and a county.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.grid_map_scene
Prints the time to build the scene and to repaint the view (fitted, zoomed in, while panning). The
county case (1,500 grids, 50,000 households: a partial MapData, issue 11) builds the grids only, then
draws the households of one zoomed-in area the way the page does (sync_markers).
Note: PySide6 6.12.0 on Python 3.11 drops a reference to None on every void Qt call; building a
2,000-marker scene makes enough calls to abort the interpreter ("none_dealloc") until that is fixed
(a PySide6 release without the bug, or Python 3.12+ where None is immortal).
"""

from __future__ import annotations

import random
import statistics
import sys
import time

from PySide6.QtWidgets import QApplication

from app.services.grid.grids import GridInfo
from app.services.grid.map_data import ContactLink, MapData, MapMarker
from ui.grid.scene import MapScene
from ui.grid.view import MapView

TAGS = ("低保", "空巢", "独居老人", "残疾", "出租房")


def synthetic(n_markers: int = 2000, cols: int = 10, rows: int = 10) -> MapData:
    rng = random.Random(1)
    w, h = 1600 / cols, 1000 / rows
    grids = []
    for r in range(rows):
        for c in range(cols):
            gid = r * cols + c + 1
            poly = ((c * w, r * h), ((c + 1) * w, r * h), ((c + 1) * w, (r + 1) * h), (c * w, (r + 1) * h))
            grids.append(GridInfo(gid, None, f"G{gid:03d}", f"第{gid}网格", "普通", "#4f8fd6", poly, gid, ""))
    markers = [
        MapMarker(i, f"{i:04d}", "", "张三", rng.randint(1, len(grids)), rng.uniform(5, 1595), rng.uniform(5, 995),
                  tuple(rng.sample(TAGS, rng.randint(0, 2))))
        for i in range(1, n_markers + 1)
    ]
    links = [ContactLink("李四", rng.randint(1, n_markers), rng.randint(1, n_markers)) for _ in range(n_markers)]
    return MapData(1600, 1000, False, grids, markers, links, list(TAGS))


def synthetic_county(n_households: int = 50_000, cols: int = 22, rows: int = 14) -> tuple[MapData, list[MapMarker]]:
    """300-odd grids of 4 micro-grids each on the 1600×1000 canvas; the MapData a large map starts with."""
    rng = random.Random(2)
    w, h = 1600 / cols, 1000 / rows
    grids, counts, cells = [], {}, []
    for r in range(rows):
        for c in range(cols):
            gid = len(grids) + 1
            x0, y0 = c * w, r * h
            grids.append(GridInfo(gid, None, f"G{gid:04d}", f"第{gid}网格", "普通", "#4f8fd6",
                                  ((x0, y0), (x0 + w, y0), (x0 + w, y0 + h), (x0, y0 + h)), gid, ""))
            for k in range(4):
                mx, my = x0 + (k % 2) * w / 2, y0 + (k // 2) * h / 2
                mid = 10_000 + gid * 4 + k
                grids.append(GridInfo(mid, gid, f"G{gid:04d}-{k + 1}", f"第{gid}网格{k + 1}号微网格", "普通", "#4f8fd6",
                                      ((mx, my), (mx + w / 2, my), (mx + w / 2, my + h / 2), (mx, my + h / 2)), k, ""))
                cells.append((mid, gid, mx, my))
    markers = []
    for i in range(1, n_households + 1):
        mid, gid, mx, my = cells[i % len(cells)]
        counts[mid] = counts.get(mid, 0) + 1
        counts[gid] = counts.get(gid, 0) + 1
        markers.append(MapMarker(i, f"{i:06d}", "", "张三", mid, mx + rng.uniform(1, w / 2 - 1),
                                 my + rng.uniform(1, h / 2 - 1), tuple(rng.sample(TAGS, rng.randint(0, 1)))))
    data = MapData(1600, 1000, False, grids, [], [], list(TAGS), n_households, True, 0, counts)
    return data, markers


def _ms(fn, repeat: int = 10) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def _built(data: MapData) -> tuple[MapScene, MapView, float]:
    """A shown view of a scene, and the median time of loading data into the scene."""
    scene = MapScene()
    view = MapView(scene)
    view.resize(1200, 800)
    view.show()
    return scene, view, _ms(lambda: scene.load(data, None), repeat=3)


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    data = synthetic()
    scene, view, build = _built(data)
    view.fit()
    app.processEvents()
    fitted = _ms(lambda: view.viewport().grab())
    scene.set_tag_layer("")
    scene.set_links_visible(True)
    layers = _ms(lambda: view.viewport().grab())
    view.zoom_by(6)
    zoomed = _ms(lambda: view.viewport().grab())

    def pan() -> None:
        view.horizontalScrollBar().setValue(view.horizontalScrollBar().value() + 40)
        view.viewport().grab()

    panning = _ms(pan)
    print(f"scene with {len(data.markers)} markers, {len(data.grids)} polygons: build {build:.0f} ms")
    print(f"repaint (median of 10): fitted {fitted:.1f} ms, fitted with tag+contact layers {layers:.1f} ms, "
          f"zoomed ×6 {zoomed:.1f} ms, panning {panning:.1f} ms")
    view.close()
    county(app)


def county(app: QApplication) -> None:
    data, everyone = synthetic_county()
    scene, view, build = _built(data)
    view.fit()
    scene.update_detail(view.transform().m11())
    app.processEvents()
    fitted = _ms(lambda: view.viewport().grab())
    view.zoom_by(4)
    scene.update_detail(view.transform().m11())
    area = view.visible_rect()
    shown = [m for m in everyone if area.contains(m.x or 0, m.y or 0)][:2500]
    sync = _ms(lambda: (scene.sync_markers([], []), scene.sync_markers(shown, [])), repeat=3)
    zoomed = _ms(lambda: view.viewport().grab())
    print(f"county: {len(data.grids)} polygons of {data.households} households: build (grids only) {build:.0f} ms, "
          f"repaint fitted {fitted:.1f} ms; zoomed ×4: {len(shown)} households drawn in {sync:.0f} ms, "
          f"repaint {zoomed:.1f} ms")
    view.close()


if __name__ == "__main__":
    main()
