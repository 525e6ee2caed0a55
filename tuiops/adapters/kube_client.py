"""The kubernetes client's ApiClient for one resolved context, set up the way tuiops needs.

What differs from `kubernetes.config.new_client_from_config`:

- the kubeconfig was read and checked by `adapters/kubeconfig.py`, and the credential plugin
  already ran (`adapters/exec_credential.py`): the client sees a token or certificate, never
  an `exec` section it would run without a timeout;
- urllib3 retries are off (`retries=False`): by default urllib3 retries a GET three times
  after a read timeout, which made a silent server cost four timeouts; tuiops retries what it
  chooses to in `KubeApi`;
- the pools note each request's connection so `adapters/http_deadline.py` can cut it at its
  deadline;
- the kubeconfig loader's API-key refresh hook is dropped: it would put the kubeconfig's
  original token back on every request, and tuiops refreshes exec credentials itself.
"""

from __future__ import annotations

from typing import Any

from tuiops.adapters.exec_credential import ExecCredential
from tuiops.adapters.kubeconfig import KubeContext
from tuiops.errors import NoKubeconfig


def build_client(context: KubeContext, credential: ExecCredential | None) -> Any:
    """An ApiClient for `context`, authenticating with `credential` when the user has `exec`.

    Raises:
        NoKubeconfig: the client cannot use the context (an unreadable certificate file,
            an unknown auth provider, ...); the message names the context.
    """
    from kubernetes.client import ApiClient, Configuration  # lazy: half a second of imports
    from kubernetes.config import kube_config
    from kubernetes.config.config_exception import ConfigException

    from tuiops.adapters import http_deadline

    if context.exec_config is not None and credential is None:
        raise AssertionError("run the credential plugin first")  # pragma: no cover
    user = credential.user_body(context.user) if credential is not None else None
    loaders: Any = kube_config  # an untyped library module
    configuration: Any = type.__call__(Configuration)  # not the process-wide default copy
    try:
        loader = loaders.KubeConfigLoader(
            config_dict=context.client_config(user), active_context=context.name
        )
        loader.load_and_set(configuration)
    except (ConfigException, OSError, ValueError, TypeError, KeyError) as error:
        detail = " ".join(str(error).split()) or type(error).__name__
        raise NoKubeconfig(
            f"the kubeconfig ({context.source}) cannot be used for context"
            f" {context.name!r}: {detail}"
        ) from None
    configuration.refresh_api_key_hook = None
    configuration.retries = False
    client = ApiClient(configuration=configuration)
    http_deadline.install(client.rest_client.pool_manager)
    return client
