/**
 * Run by the discovery tests inside a network namespace: browses, printing "ready" once its
 * networks are up, then the whole list as JSON at every change.
 */
import { Browser, MdnsLinks } from '../../../electron/discovery/index.js'

const links = new MdnsLinks()
links.once('up', () => console.log('ready'))
const browser = new Browser(links)
browser.on('change', (hosts) => console.log(JSON.stringify({ time: Date.now(), hosts })))
browser.start()
process.once('SIGTERM', () => void browser.stop().then(() => process.exit(0)))
