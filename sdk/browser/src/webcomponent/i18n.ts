// UI strings. `lang` picks a dictionary (upstream's codes); anything unknown
// falls back to English. `langOptions` lists what the settings panel offers.

export interface LangOption {
    name: string;
    lang: string;
}

const en = {
    preparing: 'Preparing your camera and microphone…',
    joinTitle: 'Ready to join?',
    yourName: 'Your name',
    camera: 'Camera',
    microphone: 'Microphone',
    speaker: 'Speaker',
    none: 'None',
    join: 'Join',
    joining: 'Joining…',
    waitingToken: 'Waiting for the application to provide a token…',
    retry: 'Try again',
    joinWithout: 'Join without camera and microphone',
    micOn: 'Mute microphone',
    micOff: 'Unmute microphone',
    camOn: 'Turn camera off',
    camOff: 'Turn camera on',
    share: 'Share your screen',
    stopShare: 'Stop sharing',
    raiseHand: 'Raise hand',
    lowerHand: 'Lower hand',
    fullscreen: 'Fullscreen',
    exitFullscreen: 'Exit fullscreen',
    more: 'More options',
    leave: 'Leave',
    chat: 'Chat',
    participants: 'Participants',
    activities: 'Activities',
    settings: 'Settings',
    close: 'Close',
    send: 'Send',
    typeMessage: 'Type a message',
    noMessages: 'No messages yet. Say hi!',
    you: 'You',
    moderator: 'Moderator',
    presenting: 'presenting',
    youArePresenting: 'You are presenting to everyone',
    isPresenting: '{name} is presenting',
    joined: '{name} joined',
    left: '{name} left',
    handRaised: '{name} raised their hand',
    newMessage: '{name}: {text}',
    muteLocal: 'Mute for me',
    unmuteLocal: 'Unmute for me',
    pin: 'Pin',
    unpin: 'Unpin',
    language: 'Language',
    startRecording: 'Start recording',
    stopRecording: 'Stop recording',
    recording: 'Recording',
    recordings: 'Recordings',
    noRecordings: 'No recordings yet',
    play: 'Play',
    download: 'Download',
    delete: 'Delete',
    refresh: 'Refresh',
    startBroadcast: 'Start broadcasting',
    stopBroadcast: 'Stop broadcasting',
    broadcasting: 'Broadcasting',
    broadcastUrl: 'RTMP URL',
    reconnecting: 'Connection lost. Reconnecting…',
    leftTitle: 'You left the call',
    endedTitle: 'You are no longer in the call',
    rejoin: 'Rejoin',
    // Errors: each says what happened and what to do.
    errDenied: 'Your browser blocked the camera and microphone. Allow them for this site (the camera icon in the address bar), then try again.',
    errNoDevices: 'No camera or microphone was found. Plug one in and try again, or join to watch and chat.',
    errCamInUse: 'Your camera is being used by another application. Close it and try again; you can join with the microphone only.',
    errNoCamera: 'No camera was found: you will join with the microphone only.',
    errNoMic: 'No microphone was found: you will join with the camera only.',
    errInsecure: 'Camera and microphone need a secure page (https:// or localhost).',
    errMedia: 'The camera or microphone could not be started: {detail}',
    errScreenDenied: 'Screen sharing was cancelled.',
    errScreen: 'Screen sharing could not start: {detail}',
    errToken: 'This invitation is not valid any more (it was already used or has expired). Join again to get a new one.',
    errNoToken: 'No token was given to the component, so it cannot join a session.',
    errServer: 'The video server could not be reached. Check your connection and try again.',
    errJoin: 'Could not join the call: {detail}',
    errPublish: 'Your camera and microphone could not be sent: {detail}',
    deviceLost: 'Your {device} was disconnected. Pick another one in Settings.',
    endedEvicted: 'A moderator removed you from the call.',
    endedClosed: 'The call was ended for everyone.',
    endedNetwork: 'You lost the connection to the server.',
    endedStopped: 'The video server was stopped.',
    endedCrashed: 'The media server stopped working.',
    endedOther: 'You were disconnected ({reason}).'
};

export type Key = keyof typeof en;
type Dict = { [K in Key]?: string };

const es: Dict = {
    preparing: 'Preparando tu cámara y micrófono…',
    joinTitle: '¿Listo para entrar?',
    yourName: 'Tu nombre',
    camera: 'Cámara',
    microphone: 'Micrófono',
    speaker: 'Altavoz',
    none: 'Ninguno',
    join: 'Entrar',
    joining: 'Entrando…',
    retry: 'Reintentar',
    joinWithout: 'Entrar sin cámara ni micrófono',
    micOn: 'Silenciar micrófono',
    micOff: 'Activar micrófono',
    camOn: 'Apagar cámara',
    camOff: 'Encender cámara',
    share: 'Compartir pantalla',
    stopShare: 'Dejar de compartir',
    raiseHand: 'Levantar la mano',
    lowerHand: 'Bajar la mano',
    fullscreen: 'Pantalla completa',
    exitFullscreen: 'Salir de pantalla completa',
    more: 'Más opciones',
    leave: 'Salir',
    chat: 'Chat',
    participants: 'Participantes',
    activities: 'Actividades',
    settings: 'Ajustes',
    close: 'Cerrar',
    send: 'Enviar',
    typeMessage: 'Escribe un mensaje',
    noMessages: 'Aún no hay mensajes.',
    you: 'Tú',
    moderator: 'Moderador',
    isPresenting: '{name} está presentando',
    youArePresenting: 'Estás presentando a todos',
    joined: '{name} se ha unido',
    left: '{name} se ha ido',
    handRaised: '{name} ha levantado la mano',
    language: 'Idioma',
    reconnecting: 'Conexión perdida. Reconectando…',
    leftTitle: 'Has salido de la llamada',
    endedTitle: 'Ya no estás en la llamada',
    rejoin: 'Volver a entrar',
    waitingToken: 'Esperando a que la aplicación proporcione un token…',
    presenting: 'presentando',
    newMessage: '{name}: {text}',
    muteLocal: 'Silenciar para mí',
    unmuteLocal: 'Dejar de silenciar para mí',
    pin: 'Fijar',
    unpin: 'Dejar de fijar',
    startRecording: 'Empezar a grabar',
    stopRecording: 'Detener la grabación',
    recording: 'Grabación',
    recordings: 'Grabaciones',
    noRecordings: 'Aún no hay grabaciones',
    play: 'Reproducir',
    download: 'Descargar',
    delete: 'Borrar',
    refresh: 'Actualizar',
    startBroadcast: 'Empezar a emitir',
    stopBroadcast: 'Detener la emisión',
    broadcasting: 'Emisión',
    broadcastUrl: 'URL RTMP',
    deviceLost: 'Se ha desconectado tu {device}. Elige otro en Ajustes.',
    errCamInUse: 'Otra aplicación está usando tu cámara. Ciérrala y vuelve a intentarlo; puedes entrar solo con el micrófono.',
    errNoCamera: 'No se ha encontrado ninguna cámara: entrarás solo con el micrófono.',
    errNoMic: 'No se ha encontrado ningún micrófono: entrarás solo con la cámara.',
    errScreenDenied: 'Se ha cancelado la compartición de pantalla.',
    errJoin: 'No se ha podido entrar en la llamada: {detail}',
    endedEvicted: 'Un moderador te ha sacado de la llamada.',
    endedClosed: 'La llamada ha terminado para todos.',
    endedNetwork: 'Se ha perdido la conexión con el servidor.',
    endedStopped: 'El servidor de vídeo se ha detenido.',
    errDenied: 'El navegador ha bloqueado la cámara y el micrófono. Permítelos para este sitio y vuelve a intentarlo.',
    errNoDevices: 'No se ha encontrado cámara ni micrófono. Conecta uno o entra solo para ver y chatear.',
    errToken: 'Esta invitación ya no es válida. Entra de nuevo para obtener otra.',
    errServer: 'No se puede contactar con el servidor de vídeo. Revisa tu conexión y vuelve a intentarlo.'
};

const fr: Dict = {
    yourName: 'Votre nom',
    camera: 'Caméra',
    microphone: 'Micro',
    join: 'Rejoindre',
    joining: 'Connexion…',
    retry: 'Réessayer',
    share: 'Partager l’écran',
    stopShare: 'Arrêter le partage',
    raiseHand: 'Lever la main',
    lowerHand: 'Baisser la main',
    leave: 'Quitter',
    participants: 'Participants',
    settings: 'Paramètres',
    send: 'Envoyer',
    typeMessage: 'Écrire un message',
    you: 'Vous',
    language: 'Langue',
    leftTitle: 'Vous avez quitté l’appel',
    rejoin: 'Revenir'
};

const de: Dict = {
    yourName: 'Dein Name',
    camera: 'Kamera',
    microphone: 'Mikrofon',
    join: 'Beitreten',
    joining: 'Beitreten…',
    retry: 'Erneut versuchen',
    share: 'Bildschirm teilen',
    stopShare: 'Teilen beenden',
    raiseHand: 'Hand heben',
    lowerHand: 'Hand senken',
    leave: 'Verlassen',
    participants: 'Teilnehmer',
    settings: 'Einstellungen',
    send: 'Senden',
    typeMessage: 'Nachricht schreiben',
    you: 'Du',
    language: 'Sprache',
    leftTitle: 'Du hast den Anruf verlassen',
    rejoin: 'Erneut beitreten'
};

const it: Dict = {
    yourName: 'Il tuo nome',
    camera: 'Videocamera',
    microphone: 'Microfono',
    join: 'Entra',
    leave: 'Esci',
    share: 'Condividi schermo',
    participants: 'Partecipanti',
    settings: 'Impostazioni',
    send: 'Invia',
    you: 'Tu',
    language: 'Lingua'
};

const pt: Dict = {
    yourName: 'O seu nome',
    camera: 'Câmara',
    microphone: 'Microfone',
    join: 'Entrar',
    leave: 'Sair',
    share: 'Partilhar ecrã',
    participants: 'Participantes',
    settings: 'Definições',
    send: 'Enviar',
    you: 'Você',
    language: 'Idioma'
};

const dictionaries: Record<string, Dict> = { en, es, fr, de, it, pt };

/** The languages offered by default (a subset of upstream's list: those we translate). */
export const defaultLangOptions: LangOption[] = [
    { name: 'English', lang: 'en' },
    { name: 'Español', lang: 'es' },
    { name: 'Français', lang: 'fr' },
    { name: 'Deutsch', lang: 'de' },
    { name: 'Italiano', lang: 'it' },
    { name: 'Português', lang: 'pt' }
];

/** A translator for a language; `{name}` placeholders are filled from vars. */
export function translator(lang: string): (key: Key, vars?: Record<string, string>) => string {
    const dict = dictionaries[(lang || 'en').toLowerCase().split('-')[0]] ?? en;
    return (key, vars) => {
        let s = dict[key] ?? en[key];
        if (vars) for (const [k, v] of Object.entries(vars)) s = s.split('{' + k + '}').join(v);
        return s;
    };
}

export type Translate = ReturnType<typeof translator>;
