import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { pickBridge, setBridge } from './bridge/index.js'
import './styles.css'

setBridge(pickBridge())
createApp(App).use(createPinia()).mount('#app')
