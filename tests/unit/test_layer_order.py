"""`status --offline` says why a layer left its listed place and which layers Flux generates."""

from __future__ import annotations

from tests.conftest import WriteRepo
from tests.unit.test_repo_model import clustertool, component, ks, release
from tuiops.cli.text import status_text
from tuiops.domain.repo import Cluster, LayerMove
from tuiops.gitops.loader import load_repo

ROOT = "clusters/main/kubernetes"


def layered(
    write_repo: WriteRepo, web_depends: str, certs_depends: str = ""
) -> tuple[str, Cluster]:
    files = clustertool("  - apps\n  - core\n")
    files[f"{ROOT}/apps/kustomization.yaml"] = "resources:\n  - web/ks.yaml\n"
    files[f"{ROOT}/core/kustomization.yaml"] = "resources:\n  - certs/ks.yaml\n"
    files.update(component("apps", "web", depends=web_depends))
    files.update(component("core", "certs", depends=certs_depends))
    model = load_repo(write_repo(files))
    return status_text(model, model.clusters), model.clusters[0]


def test_a_moved_layer_says_after_what_and_why(write_repo: WriteRepo) -> None:
    text, cluster = layered(write_repo, web_depends="certs")
    core, apps = cluster.layers
    assert (core.name, core.moved_after) == ("core", ())
    reason = "dependsOn: Kustomization flux-system/web -> flux-system/certs"
    assert apps.moved_after == (LayerMove("core", reason),)
    assert f"2. apps  1 components, 1 HelmReleases  (moved after core: {reason})" in text
    assert "1. core  1 components, 1 HelmReleases\n" in text


def test_a_layer_in_its_listed_place_has_no_note(write_repo: WriteRepo) -> None:
    text, cluster = layered(write_repo, web_depends="")
    assert [layer.name for layer in cluster.layers] == ["apps", "core"]
    assert "moved" not in text


def test_layers_in_a_depends_on_cycle_keep_their_order_and_say_so(write_repo: WriteRepo) -> None:
    text, cluster = layered(write_repo, web_depends="certs", certs_depends="web")
    apps, core = cluster.layers
    assert (apps.cycle_with, core.cycle_with) == (("core",), ("apps",))
    assert not apps.moved_after and not core.moved_after
    assert "(listed order kept: dependsOn cycle with core)" in text


def test_helm_release_depends_on_is_listed(write_repo: WriteRepo) -> None:
    files = clustertool("  - apps\n")
    files[f"{ROOT}/apps/kustomization.yaml"] = "resources:\n  - web/ks.yaml\n"
    files.update(component("apps", "web"))
    files[f"{ROOT}/apps/web/app/helm-release.yaml"] = release("web") + (
        "  dependsOn: [{name: db}, {name: cache, namespace: other}]\n"
    )
    model = load_repo(write_repo(files))
    assert "hr web/web  app@1.0.0  dependsOn db, cache\n" in status_text(model, model.clusters)


def test_a_layer_folder_flux_generates_is_labelled(write_repo: WriteRepo) -> None:
    entry = ks("cluster-apps", "./kubernetes/apps").replace("cluster}", "flux-system}")
    app = ks("plex", "./kubernetes/apps/media/plex/app").replace("cluster}", "flux-system}")
    files = {
        "kubernetes/flux/cluster/ks.yaml": entry,
        "kubernetes/apps/media/plex/ks.yaml": app,  # media/ has no kustomization.yaml
        "kubernetes/apps/media/plex/app/helmrelease.yaml": release("plex"),
        "kubernetes/apps/infra/kustomization.yaml": "resources:\n  - dns/ks.yaml\n",
        "kubernetes/apps/infra/dns/ks.yaml": ks("dns", "./kubernetes/apps/infra/dns/app").replace(
            "cluster}", "flux-system}"
        ),
        "kubernetes/apps/infra/dns/app/helmrelease.yaml": release("dns"),
    }
    model = load_repo(write_repo(files))
    generated = {layer.name: layer.generated for layer in model.clusters[0].layers}
    assert generated == {"infra": False, "media": True}
    text = status_text(model, model.clusters)
    layer_lines = [line for line in text.splitlines() if line.startswith("   ")]
    media = next(line for line in layer_lines if ". media  " in line)
    infra = next(line for line in layer_lines if ". infra  " in line)
    assert media.endswith("HelmReleases  (generated)") and infra.endswith("HelmReleases")
