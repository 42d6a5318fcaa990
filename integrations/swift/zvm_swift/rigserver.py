"""The rig's server launcher: `python3 -m zvm_swift.rigserver KIND CONF`
runs Swift's KIND server (proxy, account, container, object) with CONF,
after pointing Swift at the swift.conf beside CONF (its hash path suffix
and storage policies). Swift's own server scripts always read
/etc/swift/swift.conf, so without this every rig would share the one the
package installs; with it the rig lives under one directory (docs/swift.md,
"The rig")."""
import os
import sys

from swift.common.utils import set_swift_dir
from swift.common.wsgi import run_wsgi

APPS = {'proxy': ('proxy-server', None),
        'account': ('account-server', 'swift.account.server'),
        'container': ('container-server', 'swift.container.server'),
        'object': ('object-server', 'swift.obj.server')}


def main(argv):
    if len(argv) != 3 or argv[1] not in APPS:
        sys.stderr.write('usage: python3 -m zvm_swift.rigserver '
                         'proxy|account|container|object CONF\n')
        return 2
    conf = argv[2]
    set_swift_dir(os.path.dirname(os.path.abspath(conf)))
    name, module = APPS[argv[1]]
    kw = {}
    if module:
        mod = __import__(module, fromlist=['global_conf_callback'])
        if hasattr(mod, 'global_conf_callback'):
            kw['global_conf_callback'] = mod.global_conf_callback
    return run_wsgi(conf, name, **kw)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
