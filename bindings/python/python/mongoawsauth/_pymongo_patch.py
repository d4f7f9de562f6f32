"""How :func:`mongoawsauth.patch_pymongo` reaches into pymongo 4.x, whichever version and
whenever pymongo was imported.

Three things, each undone by :func:`unpatch`:

1. ``sys.modules`` maps ``pymongo_auth_aws`` and its ``auth``, ``errors`` and ``version``
   submodules to :mod:`mongoawsauth.pymongo_auth_aws`, so every later import finds the drop-in.
2. Modules pymongo already imported are re-pointed: pymongo 4.0 to 4.6 import
   ``pymongo_auth_aws`` when ``import pymongo`` runs and keep its names as module globals
   (``AwsSaslContext``, ``AwsCredential``, a subclass ``_AwsSaslContext``...), so replacing
   ``sys.modules`` alone would leave them on the old package, or on the stub pymongo defines when
   the package is missing. Later versions import it inside the login, so nothing is left there.
3. Each entry ``"MONGODB-AWS"`` of pymongo's mechanism tables (``_AUTH_MAP`` in ``pymongo.auth``,
   ``pymongo.synchronous.auth`` and ``pymongo.asynchronous.auth``) is wrapped, so that a login
   that fails for any reason drops the credentials it used, on every version (pymongo 4.0 does
   not report failures at all), and so that an ``AsyncMongoClient`` login fetches its
   credentials off the event loop before pymongo's synchronous ``step()`` needs them.

Modules pymongo has not imported yet are patched as they load, by a small import hook.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.metadata
import re
import sys
import threading
from collections.abc import Callable, Coroutine, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any, Optional

from . import pymongo_auth_aws as shim
from .errors import ConfigurationError
from .pymongo_auth_aws import _state

SUBMODULES = ("auth", "errors", "version")
AUTH_MODULES = ("pymongo.auth", "pymongo.synchronous.auth", "pymongo.asynchronous.auth")
AUTH_AWS_MODULES = ("pymongo.auth_aws", "pymongo.synchronous.auth_aws", "pymongo.asynchronous.auth_aws")
MECHANISM = "MONGODB-AWS"

_lock = threading.RLock()
_saved_globals: dict[tuple[str, str], Any] = {}  # (module name, global name) -> original value, or _ABSENT
_ABSENT = object()


def _module_names() -> tuple[str, ...]:
    return ("pymongo_auth_aws", *(f"pymongo_auth_aws.{n}" for n in SUBMODULES))


def _shim_modules() -> tuple[ModuleType, ...]:
    return (shim, *(getattr(shim, n) for n in SUBMODULES))


# -- versions ------------------------------------------------------------------------------


def _installed_pymongo_version() -> Optional[str]:
    """The version of the pymongo that ``import pymongo`` gives, or None if there is none."""
    module = sys.modules.get("pymongo")
    version = getattr(module, "version", None) if module is not None else None
    if isinstance(version, str):
        return version
    try:
        return importlib.metadata.version("pymongo")
    except importlib.metadata.PackageNotFoundError:
        return None


def check_version() -> None:
    """Raises ConfigurationError unless the installed pymongo (if any) is a 4.x release."""
    version = _installed_pymongo_version()
    if version is None:
        return
    match = re.match(r"(\d+)\.", version)
    if match is None or int(match.group(1)) != 4:
        raise ConfigurationError(
            f"mongoawsauth.patch_pymongo() supports pymongo 4.x, and pymongo {version} is "
            "installed: install a pymongo 4 release, or use mongoawsauth.Authenticator directly"
        )


# -- re-pointing what pymongo already imported ---------------------------------------------


def _set_global(module: ModuleType, name: str, value: Any) -> None:
    key = (module.__name__, name)
    if key not in _saved_globals:
        _saved_globals[key] = module.__dict__.get(name, _ABSENT)
    setattr(module, name, value)


def _rebuild_context_class(old: type) -> type:
    """A subclass of the drop-in's AwsSaslContext with the hooks pymongo's subclass defines."""
    hooks = {k: v for k, v in vars(old).items() if k in ("binary_type", "bson_encode", "bson_decode")}
    hooks["__module__"] = old.__module__
    hooks["__qualname__"] = old.__qualname__
    hooks["__doc__"] = old.__doc__
    return type(old.__name__, (shim.AwsSaslContext,), hooks)


def _repoint_auth_aws(module: ModuleType) -> None:
    """Points the globals of a pymongo 4.0-4.6 style ``auth_aws`` module at the drop-in."""
    names = vars(module)
    if "_HAVE_MONGODB_AWS" not in names:
        return  # 4.7 and later import pymongo_auth_aws inside the login: nothing to re-point
    _set_global(module, "pymongo_auth_aws", shim)
    _set_global(module, "AwsCredential", shim.AwsCredential)
    _set_global(module, "AwsSaslContext", shim.AwsSaslContext)
    _set_global(module, "PyMongoAuthAwsError", shim.PyMongoAuthAwsError)
    _set_global(module, "_HAVE_MONGODB_AWS", True)
    old = names.get("_AwsSaslContext")
    if isinstance(old, type) and not issubclass(old, shim.AwsSaslContext):
        _set_global(module, "_AwsSaslContext", _rebuild_context_class(old))
    if "set_cached_credentials" in names:
        # This version turns 1.3's cache on when it is imported (or defines a no-op stand-in
        # when the package is missing): do what it would have done with the drop-in.
        _set_global(module, "set_cached_credentials", shim.set_cached_credentials)
        _set_global(module, "set_use_cached_credentials", shim.set_use_cached_credentials)
        shim.set_use_cached_credentials(True)


def _forget_failed_login() -> None:
    """Drops what the failed login used; a failure before its first step used nothing."""
    context = _state.current_login()
    if context is not None:
        _state.forget(context)


def _wrap_sync(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def _authenticate_aws(credentials: Any, *args: Any, **kwargs: Any) -> Any:
        token = _state._login.set(None)
        try:
            return original(credentials, *args, **kwargs)
        except Exception:
            _forget_failed_login()
            raise
        finally:
            _state._login.reset(token)

    _authenticate_aws._mongoawsauth_original = original  # type: ignore[attr-defined]
    return _authenticate_aws


def _wrap_async(original: Callable[..., Coroutine[Any, Any, Any]]) -> Callable[..., Coroutine[Any, Any, Any]]:
    @functools.wraps(original)
    async def _authenticate_aws(credentials: Any, *args: Any, **kwargs: Any) -> Any:
        token = _state._login.set(None)
        prefetch = None
        try:
            if getattr(credentials, "username", None) is None:
                # pymongo calls the synchronous step() on the event loop thread: fetch first,
                # off the loop, so that step finds the credentials ready.
                prefetch = await _state.prefetch()
            return await original(credentials, *args, **kwargs)
        except Exception:
            _forget_failed_login()
            raise
        finally:
            if prefetch is not None:
                _state.end_prefetch(prefetch)
            _state._login.reset(token)

    _authenticate_aws._mongoawsauth_original = original  # type: ignore[attr-defined]
    return _authenticate_aws


def _wrap_auth_map(module: ModuleType) -> bool:
    """Wraps the MONGODB-AWS entry of a pymongo ``auth`` module's mechanism table."""
    table = getattr(module, "_AUTH_MAP", None)
    if not isinstance(table, dict) or MECHANISM not in table:
        return False
    current = table[MECHANISM]
    if getattr(current, "_mongoawsauth_original", None) is not None:
        return True
    is_async = module.__name__.endswith(".asynchronous.auth")
    table[MECHANISM] = (_wrap_async if is_async else _wrap_sync)(current)
    return True


def _unwrap_auth_map(module: ModuleType) -> None:
    table = getattr(module, "_AUTH_MAP", None)
    if isinstance(table, dict):
        original = getattr(table.get(MECHANISM), "_mongoawsauth_original", None)
        if original is not None:
            table[MECHANISM] = original


def _patch_loaded(name: str, module: ModuleType) -> None:
    with _lock:
        if name in AUTH_AWS_MODULES:
            _repoint_auth_aws(module)
        elif name in AUTH_MODULES:
            _wrap_auth_map(module)


# -- the import hook -----------------------------------------------------------------------


class _PatchingLoader(importlib.abc.Loader):
    """Runs the real loader, then patches the module it loaded."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: ModuleSpec) -> Optional[ModuleType]:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        _patch_loaded(module.__name__, module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


class _Finder(importlib.abc.MetaPathFinder):
    """Finds pymongo's auth modules with the other finders and wraps their loaders."""

    def find_spec(
        self, fullname: str, path: Optional[Sequence[str]], target: Optional[ModuleType] = None
    ) -> Optional[ModuleSpec]:
        if fullname not in AUTH_MODULES and fullname not in AUTH_AWS_MODULES:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _PatchingLoader(spec.loader)
                return spec
        return None


_finder = _Finder()


# -- patch and unpatch ---------------------------------------------------------------------


def patch() -> None:
    """Registers the drop-in, re-points what pymongo already imported, and patches the rest as
    it loads. Raises ConfigurationError for a pymongo other than 4.x, or one whose MONGODB-AWS
    hook is not where any 4.x release keeps it."""
    check_version()
    with _lock:
        for name, module in zip(_module_names(), _shim_modules()):
            sys.modules[name] = module
        if _finder not in sys.meta_path:
            sys.meta_path.insert(0, _finder)
        wrapped = False
        for name in AUTH_AWS_MODULES:
            if name in sys.modules:
                _repoint_auth_aws(sys.modules[name])
        for name in AUTH_MODULES:
            if name in sys.modules:
                wrapped = _wrap_auth_map(sys.modules[name]) or wrapped
        if not wrapped and any(name in sys.modules for name in AUTH_MODULES):
            version = _installed_pymongo_version()
            unpatch()
            raise ConfigurationError(
                f"pymongo {version} keeps no MONGODB-AWS entry in its mechanism table where "
                "pymongo 4.0 to 4.20 do, so mongoawsauth cannot take over its logins: this "
                "pymongo version is not supported; pin a supported pymongo 4 release"
            )


def unpatch() -> None:
    """Undoes :func:`patch`: ``import pymongo_auth_aws`` finds the installed package again (if
    any), and pymongo's modules get back the names they had."""
    with _lock:
        if _finder in sys.meta_path:
            sys.meta_path.remove(_finder)
        for name, module in zip(_module_names(), _shim_modules()):
            if sys.modules.get(name) is module:
                del sys.modules[name]
        for name in AUTH_MODULES:
            if name in sys.modules:
                _unwrap_auth_map(sys.modules[name])
        for (module_name, global_name), value in list(_saved_globals.items()):
            loaded = sys.modules.get(module_name)
            if loaded is not None:
                if value is _ABSENT:
                    loaded.__dict__.pop(global_name, None)
                else:
                    setattr(loaded, global_name, value)
        _saved_globals.clear()
