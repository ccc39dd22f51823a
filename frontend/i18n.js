// Every visible string of the portal, in Japanese (the default) and English, and the
// formatting of numbers, dates and times (always Japan Standard Time).
//
// Keys are flat. A test fails when a key exists in one dictionary and not the other, or
// when the placeholders differ.
//
// No text of the API's errors here: a refusal from the API is shown with its own message
// and message_ja (ui.js errorText). "error.<CODE>" holds only the failures the portal
// names itself because no answer with the API's error body arrived (api.js PORTAL_ERRORS);
// a test fails if one of these keys repeats a code the API can return.
// No DOM access at import time: the tests load this module under node.

export const LANGS = Object.freeze(["ja", "en"]);
export const DEFAULT_LANG = "ja";
export const STORAGE_KEY = "jvets.lang";
export const TIME_ZONE = "Asia/Tokyo";

const ja = {
  // --- frame ---------------------------------------------------------------------
  "app.ministry": "環境省",
  "app.title": "自主参加型国内排出量取引登録簿システム",
  "app.short": "JVETS 登録簿",
  "app.loading": "読み込み中…",
  "skip.link": "本文へ移動",
  "lang.toggle": "English",
  "lang.toggle_lang": "en",
  "header.signed_in_as": "ログイン中の利用者",
  "header.user": "ユーザー: {username}",
  "header.clock": "現在日時 (JST)",
  "header.market": "取引状況",
  "market.open": "取引時間中",
  "market.closed": "取引時間外",
  "market.halted": "取引停止中",
  "market.until": "{time} まで",
  "market.next_open": "次回の取引開始: {time}",
  "market.reason": "理由: {reason}",
  "market.loading": "確認中…",
  "market.unavailable": "取引状況を取得できません",
  "nav.label": "メインメニュー",
  "nav.balance": "残高照会",
  "nav.transfer": "クレジット移転",
  "nav.retire": "償却",
  "nav.history": "移転明細照会",
  "nav.help": "ヘルプ・お問合せ",
  "nav.logout": "ログアウト",
  "nav.login": "ログイン",
  "footer.text": "環境省 自主参加型国内排出量取引制度（JVETS）登録簿",
  "footer.hours": "取引時間: 営業日 10:00～18:00（日本時間）",

  // --- common --------------------------------------------------------------------
  "common.loading": "読み込み中…",
  "common.amount": "{amount} t-CO2",
  "common.none": "－",
  "common.any": "指定なし",
  "common.print": "印刷",
  "common.retry": "再試行",
  "common.reload": "再読み込み",
  "common.optional": "（任意）",
  "common.error_code": "エラーコード",
  "common.error_summary": "入力内容を確認してください。",
  "common.to_balance": "残高照会へ",
  "common.to_history": "移転明細照会へ",
  "common.page_title": "{title} | JVETS 登録簿",
  "common.not_found_title": "ページが見つかりません",
  "common.not_found": "指定されたページはありません。メニューから選択してください。",

  // --- login ---------------------------------------------------------------------
  "login.title": "ログイン",
  "login.intro": "参加者向けポータルです。ユーザー名とパスワードを入力し、「ログイン」ボタンを押してください。",
  "login.username": "ユーザー名",
  "login.password": "パスワード",
  "login.submit": "ログイン",
  "login.busy": "ログイン中…",
  "login.help": "ログインできない場合は「ヘルプ・お問合せ」をご覧ください。",
  "login.contact_hint": "事務局にお問い合わせください。",
  "newpw.title": "新しいパスワードの設定",
  "newpw.intro": "初回ログインのため、仮パスワードを新しいパスワードに変更してください。設定すると、そのままログインします。",
  "newpw.new": "新しいパスワード",
  "newpw.confirm": "新しいパスワード（確認）",
  "newpw.policy": "12文字以上で、英大文字・英小文字・数字・記号をそれぞれ1文字以上含めてください。",
  "newpw.submit": "パスワードを設定してログイン",
  "newpw.busy": "設定中…",
  "newpw.cancel": "ログイン画面に戻る",
  "mfa.title": "確認コードの入力",
  "mfa.intro": "パスワードを確認しました。認証アプリに表示されている6桁の確認コードを入力してください。",
  "mfa.code": "確認コード（6桁）",
  "mfa.code_hint": "コードは30秒ごとに変わります。",
  "mfa.submit": "ログイン",
  "mfa.busy": "確認中…",
  "mfasetup.title": "多要素認証の設定",
  "mfasetup.intro": "管理者のアカウントは、パスワードに加えて認証アプリの確認コードでログインする必要があります。次の手順で認証アプリを登録してください。",
  "mfasetup.step_key": "認証アプリ（Google Authenticator など）に次の鍵を登録します:",
  "mfasetup.link": "このデバイスの認証アプリで開く",
  "mfasetup.step_code": "認証アプリに表示された6桁のコードを入力し、「登録する」を押します。登録後、確認コードを使ってもう一度ログインしてください。",
  "mfasetup.submit": "登録する",
  "mfasetup.busy": "登録中…",
  "notice.expired": "セッションの有効期限が切れたため、ログアウトしました。もう一度ログインしてください。",
  "notice.invalid": "セッションが無効になったため、ログアウトしました。もう一度ログインしてください。",
  "notice.logged_out": "ログアウトしました。",
  "notice.mfa_enrolled": "認証アプリを登録しました。パスワードと確認コードでもう一度ログインしてください。",
  "notice.mfa_expired": "確認コードの入力期限が切れました。もう一度ログインしてください。",

  // --- balance -------------------------------------------------------------------
  "balance.title": "残高照会",
  "balance.subtitle": "残高照会結果表示",
  "balance.account_select": "照会する口座",
  "balance.show": "表示",
  "balance.account": "口座番号",
  "balance.holder": "法人名",
  "balance.status": "口座の状態",
  "balance.balance": "保有クレジット残高",
  "balance.reserve": "コミットメントリザーブ量",
  "balance.transferable": "移転可能クレジット量",
  "balance.as_of": "照会日時 (JST)",
  "balance.holdings": "保有クレジット明細",
  "balance.no_holdings": "この口座が保有しているクレジットはありません。",
  "balance.no_accounts": "照会できる口座がありません。",
  "col.no": "項番",
  "col.origin": "原産締約国",
  "col.unit_type": "クレジット種別",
  "col.issued_period": "発行約束期間",
  "col.adopted_period": "適用約束期間",
  "col.project": "プロジェクト番号",
  "col.serials": "シリアル番号",
  "col.amount": "クレジット量 (t-CO2)",
  "col.line": "行",
  "serial.range": "{start} ～ {end}",
  "account_status.open": "開設中",
  "account_status.blocked": "凍結中",
  "account_status.closed": "閉鎖済み",

  // --- steps ---------------------------------------------------------------------
  "steps.label": "手続きの進み具合",
  "steps.current": "（現在の段階）",

  // --- transfer ------------------------------------------------------------------
  "transfer.title": "クレジット移転",
  "transfer.step.input": "移転情報入力",
  "transfer.step.confirm": "移転情報確認",
  "transfer.step.done": "移転完了通知",
  "transfer.input_title": "クレジット移転情報入力（国内移転）",
  "transfer.input_intro": "以下の情報を入力し、「確認」ボタンを押してください。移転処理は一度に10件まで行えます。",
  "transfer.sender_section": "移転元",
  "transfer.sender": "移転元口座番号",
  "transfer.sender_name": "移転元法人名",
  "transfer.receiver_name": "移転先法人名",
  "move.looking_up": "照会中…",
  "transfer.receiver_section": "① 移転先口座番号入力",
  "transfer.receiver": "移転先口座番号",
  "transfer.receiver_hint": "例: JP-121-1053-0-25（末尾の2桁はチェックデジットです）",
  "transfer.receiver_ok": "口座番号の形式とチェックデジットを確認しました。",
  "transfer.lines_section": "② 移転クレジット情報入力",
  "transfer.confirm": "確認",
  "transfer.lines_heading": "移転するクレジット",
  "transfer.confirm_title": "クレジット移転情報確認",
  "transfer.confirm_intro": "以下の内容で移転します。内容を確認し、よろしければ「移転を実行」ボタンを押してください。",
  "transfer.execute": "移転を実行",
  "transfer.done_title": "クレジット移転完了通知",
  "transfer.done_message": "クレジットの移転が完了しました。",
  "transfer.again": "続けて移転する",
  "transfer.no_accounts": "移転元として使用できる開設中の口座がありません。",
  "transfer.market_notice": "現在は取引時間外のため、移転は受け付けられません。取引時間は営業日の 10:00～18:00（日本時間）です。",
  "transfer.market_halted": "現在、事務局により取引が停止されています。",

  // --- retirement ----------------------------------------------------------------
  "retire.title": "償却",
  "retire.step.input": "償却情報入力",
  "retire.step.confirm": "償却情報確認",
  "retire.step.done": "償却完了通知",
  "retire.input_title": "クレジット償却情報入力",
  "retire.input_intro": "償却する口座、約束期間、クレジットを入力し、「確認」ボタンを押してください。償却は取引時間外でも行えます。償却したクレジットは元に戻せません。",
  "retire.account_section": "償却元",
  "retire.account": "償却元口座番号",
  "retire.holder": "法人名",
  "retire.period": "償却対象の約束期間",
  "retire.period_hint": "2桁の数字（例: 01）",
  "retire.lines_section": "償却クレジット情報入力",
  "retire.lines_heading": "償却するクレジット",
  "retire.confirm_title": "クレジット償却情報確認",
  "retire.confirm_intro": "以下のクレジットを償却します。償却したクレジットは元に戻せません。よろしければ「償却を実行」ボタンを押してください。",
  "retire.execute": "償却を実行",
  "retire.done_title": "クレジット償却完了通知",
  "retire.done_message": "クレジットの償却が完了しました。",
  "retire.again": "続けて償却する",
  "retire.no_accounts": "償却に使用できる開設中の口座がありません。",
  "retire.destination": "償却口座",

  // --- movement (shared by transfer and retirement) ------------------------------
  "move.available": "保有クレジット",
  "move.show_holdings": "保有クレジットの内訳を表示",
  "move.line_legend": "{n} 行目",
  "move.add_line": "行を追加",
  "move.remove_line": "削除",
  "move.remove_line_label": "{n} 行目を削除",
  "move.line_count": "{n} / 10 行",
  "move.lines_hint": "発行約束期間・適用約束期間は2桁の数字（例: 01）、プロジェクト番号は英数字とハイフンで入力します。この3項目は任意で、空欄の場合は指定なしになります。",
  "move.total": "合計",
  "move.sending": "送信中…",
  "move.edit": "入力画面に戻って修正する",
  "move.back_to_edit": "修正する",
  "move.send_failed": "送信できませんでした。",
  "move.retry_hint": "結果を確認できなかった場合は「再試行」を押してください。同じ依頼として再送信するため、二重に処理されることはありません。",
  "move.tx_number": "取引番号",
  "move.processed_at": "処理日時 (JST)",
  "move.blocks": "移転したシリアルブロック",

  // --- history -------------------------------------------------------------------
  "history.title": "移転明細照会",
  "history.intro": "照会する口座と日付の範囲を指定し、「照会」ボタンを押してください。",
  "history.account": "口座番号",
  "history.from": "照会開始日",
  "history.to": "照会終了日",
  "history.page_size": "表示件数",
  "history.page_size_option": "{n} 件",
  "history.search": "照会",
  "history.range_sep": "～",
  "history.period": "照会期間",
  "history.period_value": "{from} ～ {to}",
  "history.incoming": "転入クレジット量（集計）",
  "history.outgoing": "転出クレジット量（集計）",
  "history.results": "移転明細結果",
  "history.none": "この期間の取引はありません。",
  "history.correction_flag": "訂正",
  "history.correction_note": "※訂正フラグに「訂正」と表示された取引は、過誤訂正処理により移転したクレジットであることを示します。",
  "history.details": "詳細",
  "history.details_label": "取引 {id} の詳細",
  "history.prev": "前のページ",
  "history.next": "次のページ",
  "history.page": "{n} ページ目",
  "history.search_again_hint": "最初から照会し直してください。",
  "col.date": "移転日付",
  "col.type": "トランザクション種別",
  "col.status": "状態",
  "col.from_name": "移転元法人名",
  "col.to_name": "移転先法人名",
  "col.in": "入 (t-CO2)",
  "col.out": "出 (t-CO2)",
  "col.correction": "訂正フラグ",
  "col.details": "詳細",
  "tx_type.issuance": "発行",
  "tx_type.transfer": "国内移転",
  "tx_type.retirement": "償却",
  "tx_type.cancellation": "取消",
  "tx_status.completed": "処理完了",

  // --- transaction details -------------------------------------------------------
  "detail.title": "取引詳細",
  "detail.id": "取引番号",
  "detail.type": "トランザクション種別",
  "detail.status": "状態",
  "detail.date": "移転日付",
  "detail.created_at": "処理日時 (JST)",
  "detail.from": "移転元",
  "detail.to": "移転先",
  "detail.amount": "クレジット量（合計）",
  "detail.correction": "訂正フラグ",
  "detail.corrects": "訂正対象の取引",
  "detail.corrected_by": "この取引を訂正した取引",
  "detail.reason": "理由",
  "detail.compliance_period": "償却対象の約束期間",
  "detail.initiated_by": "処理者",
  "detail.initiated_by_admin": "事務局（管理者）",
  "detail.lines": "移転クレジット情報",
  "detail.blocks": "シリアルブロック",
  "detail.back": "移転明細照会に戻る",
  "detail.party": "{name}（{account}）",

  // --- help ----------------------------------------------------------------------
  "help.title": "ヘルプ・お問合せ",
  "help.intro": "このポータルでは、保有クレジットの残高照会、他の口座へのクレジット移転、約束期間に向けた償却、移転明細の照会ができます。",
  "help.toc": "目次",
  "help.balance.title": "残高照会の見方",
  "help.balance.body": "「保有クレジット残高」は、口座が保有するクレジットの合計です。\n「コミットメントリザーブ量」は、目標の達成に備えて口座に常に保有しておく必要がある量です。これを下回る移転はできません。\n「移転可能クレジット量」は、保有クレジット残高からコミットメントリザーブ量を差し引いた量で、他の口座へ移転できる上限です。\n明細表の各行は、シリアル番号が連続するクレジットのまとまりです。原産締約国、クレジット種別（JPA または jCER）、発行約束期間、適用約束期間、シリアル番号、クレジット量を表示します。「印刷」ボタンで照会結果を印刷できます。",
  "help.transfer.title": "クレジット移転の手順",
  "help.transfer.body": "1. 「クレジット移転」を開き、移転元口座を選び、移転先口座番号を入力します。口座番号の末尾2桁はチェックデジットで、入力中に自動で確認されます。\n2. 移転するクレジットを1行ずつ入力します（最大10行）。クレジット種別と数量は必須、約束期間とプロジェクト番号は任意です。\n3. 「確認」ボタンを押すと確認画面が表示されます。移転される内容を確認し、「移転を実行」ボタンを押してください。ボタンを2回押したり再試行したりしても、移転が二重に行われることはありません。\n4. 完了画面に取引番号が表示されます。移転の記録は「移転明細照会」でも確認できます。",
  "help.retire.title": "償却の手順",
  "help.retire.body": "償却は、約束期間の排出量に充てるためにクレジットを償却口座へ移す手続きです。手順は移転と同じ「入力・確認・完了」の3段階です。\n償却は取引時間外でも行え、コミットメントリザーブ量による制限は受けません。償却したクレジットは元に戻せません。",
  "help.history.title": "移転明細照会",
  "help.history.body": "指定した期間（初期値は直近30日間）の取引を一覧表示し、期間中の転入・転出クレジット量の合計を表示します。\n訂正フラグに「訂正」と表示された取引は、過誤訂正処理によるものです。「詳細」ボタンでシリアル番号などを確認できます。",
  "help.hours.title": "取引時間",
  "help.hours.body": "クレジットの移転は、営業日の 10:00～18:00（日本時間）に受け付けます。\n土曜日・日曜日、国民の祝日・休日、年末年始（12月29日～1月3日）は取引できません。\n画面上部に現在の取引状況と次回の取引開始日時を表示します。事務局の判断により取引を停止することがあります。",
  "help.accounts.title": "口座番号とチェックデジット",
  "help.accounts.body": "口座番号は「登録簿コード-口座種別-識別番号-約束期間-チェックデジット」の形式です（例: JP-121-1053-0-25）。\n末尾の2桁は ISO 7064 MOD 97-10 によるチェックデジットで、入力の誤りを検出します。一致しない場合は、移転先から受け取った口座番号をもう一度ご確認ください。",
  "help.contact.title": "お問合せ",
  "help.contact.body": "JVETS 登録簿ヘルプデスク（環境省 自主参加型国内排出量取引制度 事務局）\n受付時間: 営業日 9:30～18:00（日本時間）\n電子メール: registry-help@example.jp\nお問合せの際は、口座番号と、わかる場合は取引番号・エラーコードをお知らせください。パスワードは決してお知らせいただかないでください。",

  // --- client-side validation ----------------------------------------------------
  "validation.required": "入力してください。",
  "validation.choose_account": "口座を選択してください。",
  "validation.account_format": "口座番号は JP-121-1053-0-25 の形式で入力してください。",
  "validation.account_registry": "登録簿コードは JP のみ使用できます。",
  "validation.account_type": "口座種別（JP の次の3桁）が存在しません。",
  "validation.account_check": "チェックデジットが一致しません。口座番号をご確認ください。",
  "validation.account_period": "約束期間の表記が正しくありません。",
  "validation.same_account": "移転元と移転先に同じ口座は指定できません。",
  "validation.amount": "1 から 1,000,000,000 までの整数を入力してください。",
  "validation.period": "2桁の数字で入力してください（例: 01）。",
  "validation.project": "英数字とハイフン（32文字まで）で入力してください。",
  "validation.date": "日付を入力してください。",
  "validation.password_length": "12文字以上で入力してください。",
  "validation.password_match": "確認用のパスワードが一致しません。",
  "validation.code": "6桁の数字で入力してください。",
  "validation.date_order": "照会開始日は照会終了日以前の日付を指定してください。",

  // --- errors the portal names itself (no answer from the API with its error body) --
  "error.NETWORK_ERROR": "サーバーに接続できませんでした。通信環境を確認し、再度お試しください。",
  "error.GATEWAY_ERROR": "サーバーが応答しませんでした（混雑または時間切れ）。しばらくしてから再度お試しください。",
  "error.SIGNED_OUT": "ログインしていないか、セッションが終了しています。もう一度ログインしてください。",
  "error.UNEXPECTED_RESPONSE": "サーバーから予期しない応答がありました。",
  "error.CONFIG_UNAVAILABLE": "ポータルの設定を読み込めませんでした。時間をおいて再読み込みしてください。",
  "error.UNKNOWN": "エラーが発生しました。",

  // --- emissions management ------------------------------------------------------------
  "nav.registry": "登録簿",
  "nav.emissions": "排出量管理",
  "nav.sources": "排出源の登録",
  "nav.monitoring": "モニタリングの登録",
  "nav.sheets": "実績管理表",
  "nav.calculation": "算定結果",
  "emissions.fiscal_year": "{year}年度",
  "emissions.fiscal_year_select": "年度",
  "emissions.show": "表示",
  "emissions.validation.number": "排出源 No. は 1 から 99999 までの整数で入力してください。",
  "emissions.validation.site": "事業所を選択してください。",
  "emissions.validation.quantity_required": "登録済みの数量は削除できません。数量を入力してください。",
  "category.fuel_combustion": "燃料の燃焼",
  "category.purchased_electricity": "他人から供給された電気の使用",
  "category.purchased_heat": "他人から供給された熱の使用",
  "category.non_energy": "非エネルギー起源",
  "basis.fire_service_notification": "消防法届書類",
  "basis.air_pollution_permit": "大気汚染防止法",
  "basis.delivery_slips": "納品伝票",
  "basis.other": "その他",
  "sources.title": "排出源の登録",
  "sources.subtitle": "事業所と排出源を登録します。一時保存した排出源は未完成でも保存でき、登録するとモニタリングデータを入力できます。",
  "sources.sites": "事業所",
  "sources.site_name_ja": "事業所名（日本語）",
  "sources.site_name_en": "事業所名（英語）",
  "sources.site_address": "所在地",
  "sources.no_sites": "事業所が登録されていません。排出源を登録する前に事業所を追加してください。",
  "sources.add_site": "事業所を追加",
  "sources.add_site_submit": "事業所を追加する",
  "sources.site_added": "事業所「{name}」を追加しました。",
  "sources.table_title": "排出源",
  "sources.table_caption": "排出源の一覧（各行を編集できます）",
  "sources.hint": "各行を直接編集し、「一時保存」または「登録」を押してください。表は横にスクロールできます。",
  "sources.no_sources": "排出源はまだありません。「排出源を追加」で行を追加してください。",
  "sources.retired_hint": "廃止月（YYYY-MM）を入力すると、その月以降はモニタリングデータを入力できなくなります。",
  "sources.in_use_hint": "モニタリングデータのある排出源は削除できません。廃止月を設定してください。",
  "sources.col.number": "排出源 No.",
  "sources.col.name_ja": "排出源（日本語）",
  "sources.col.name_en": "排出源（英語）",
  "sources.col.site_id": "事業所",
  "sources.col.categories": "排出源の種類",
  "sources.col.factor_key": "燃料等（排出係数）",
  "sources.col.unit": "単位",
  "sources.col.basis": "排出源の洗い出しの根拠",
  "sources.col.basis_text": "根拠（その他の内容）",
  "sources.col.excluded": "除外",
  "sources.col.exclusion_reason": "理由",
  "sources.col.cogeneration": "コージェネレーション",
  "sources.col.external_supply": "外部供給",
  "sources.col.notes": "備考",
  "sources.col.retired_from": "廃止月",
  "sources.col.status": "状態",
  "sources.col.delete": "削除",
  "sources.choose": "選択してください",
  "sources.status.draft": "一時保存",
  "sources.status.registered": "登録済",
  "sources.status.new": "未保存",
  "sources.in_use": "（データあり）",
  "sources.row_label": "排出源 No. {n}",
  "sources.new_row_label": "新しい行 {n}",
  "sources.delete": "削除",
  "sources.delete_confirm": "削除する",
  "sources.delete_cancel": "やめる",
  "sources.deleted": "{row} を削除しました。",
  "sources.add_row": "排出源を追加",
  "sources.temp_save": "一時保存",
  "sources.register": "登録",
  "sources.saving": "保存中…",
  "sources.saved": "{n} 件の排出源を保存しました（一時保存）。",
  "sources.registered": "{n} 件の排出源を登録しました。",
  "sources.nothing_to_save": "保存する変更はありません。",
  "monitoring.title": "モニタリングの登録",
  "monitoring.subtitle": "排出源ごとに、各月の活動量（数量と単位）と証憑を登録します。",
  "monitoring.source": "排出源",
  "monitoring.excluded": "除外",
  "monitoring.excluded_notice": "この排出源は除外されているため、算定には含まれません。",
  "monitoring.no_sources": "登録済みの排出源がありません。先に「排出源の登録」で排出源を登録してください。",
  "monitoring.hint": "数量は半角または全角の数字で入力してください（小数点以下6桁まで）。使える単位: {units}",
  "monitoring.caption": "{source} の月別データ（{year}）",
  "monitoring.col.month": "月",
  "monitoring.col.quantity": "数量",
  "monitoring.col.unit": "単位",
  "monitoring.col.evidence": "証憑ファイル",
  "monitoring.col.state": "状態",
  "monitoring.state.saved": "登録済",
  "monitoring.state.empty": "未入力",
  "monitoring.state.retired": "廃止済",
  "monitoring.evidence_linked": "証憑 {id} を添付済み",
  "monitoring.save": "保存",
  "monitoring.saved": "{source} の {n} か月分を保存しました。",
  "monitoring.nothing_to_save": "保存する変更はありません。",
  "monitoring.to_calculation": "算定結果を見る",
  "upload.stage.announcing": "「{name}」のアップロードを準備しています…",
  "upload.stage.sending": "「{name}」を送信しています…",
  "upload.stage.checking": "「{name}」を確認しています…",
  "upload.stage.accepted": "「{name}」を受け付けました。",
  "upload.stage.rejected": "「{name}」は受け付けられませんでした。",
  "upload.stage.awaiting_upload": "「{name}」の到着を確認できませんでした。時間をおいて画面を再読み込みしてください。",
  "upload.stage.failed": "「{name}」をアップロードできませんでした。",
  "sheets.title": "実績管理表",
  "sheets.subtitle": "実績管理表（排出源×月）をダウンロードして入力し、アップロードします。",
  "sheets.download_title": "実績管理表のダウンロード",
  "sheets.download_intro": "登録済みの排出源を記載した .xlsx ファイルです。月ごとの使用量を入力してアップロードしてください（保護されたセルの係数・合計は参考表示で、取込時には使いません）。",
  "sheets.download": "{year}の実績管理表をダウンロード",
  "sheets.download_started": "ダウンロードを開始しました。",
  "sheets.upload_title": "実績管理表のアップロード",
  "sheets.file": "実績管理表ファイル（.xlsx）",
  "sheets.file_hint": "ダウンロードした実績管理表に入力したファイルを選択してください（10 MB まで）。",
  "sheets.choose_file": "ファイルを選択してください。",
  "sheets.upload": "アップロード",
  "sheets.document_id": "文書番号: {id}",
  "sheets.review": "取込結果",
  "sheets.review_outcome.imported": "取り込みました。算定結果に反映されています。",
  "sheets.review_outcome.refused": "取り込めませんでした。問題のあるセルを修正して、もう一度アップロードしてください。",
  "sheets.review_waiting": "取込結果を確認しています。結果が出ると、この画面に表示されます。",
  "sheets.table_caption": "{year}の月別データ（登録済み）",
  "sheets.problems_title": "問題のあるセル",
  "sheets.problems_none_yet": "アップロードしたファイルに問題があると、ここにシート名とセルの一覧が表示されます。",
  "sheets.problem_sheet": "シート",
  "sheets.problem_cell": "／セル {cell}:",
  "sheets.problem_workbook": "ファイル全体:",
  "sheets.no_problems": "問題のあるセルはありません。",
  "calculation.title": "算定結果",
  "calculation.subtitle": "年度の排出量を、排出源・事業所・組織ごとに月別に算定した結果です。",
  "calculation.total_exact": "年度の排出量（小数点以下3桁）",
  "calculation.total_t": "年度の排出量（トン単位、切り捨て）",
  "calculation.rounding": "各月の排出量は正確な値で合計し、小数点以下3桁で表示しています（四捨五入）。年度の排出量はトン未満を切り捨てます。",
  "calculation.months_title": "月別の排出量（事業所・組織）",
  "calculation.months_caption": "事業所と組織の月別排出量（t-CO2）",
  "calculation.sources_title": "排出源別の排出量",
  "calculation.sources_caption": "排出源ごとの月別排出量（t-CO2）",
  "calculation.missing_hint": "「欠測」はデータが未入力の月です。",
  "calculation.missing_mark": "欠測",
  "calculation.organisation": "組織合計",
  "calculation.col.scope": "対象",
  "calculation.col.year": "年度計",
  "calculation.col.number": "No.",
  "calculation.col.source": "排出源",
  "calculation.col.site": "事業所",
  "calculation.col.factor": "排出係数",
  "calculation.col.version": "版",
  "calculation.col.coefficient": "係数",
  "calculation.col.valid": "有効期間",
  "calculation.per_unit": "{value} t-CO2/{unit}",
  "calculation.valid": "{from} ～ {to}",
  "calculation.open_ended": "期限なし",
  "calculation.factors": "使用した排出係数",
  "calculation.missing": "未入力の月（{n} 件）",
  "calculation.missing_item": "No. {number} {source}: {month}",
  "calculation.no_missing": "未入力の月はありません。",
  "calculation.excluded": "除外した排出源",
  "calculation.excluded_item": "No. {number} {source}",
  "calculation.reason": "理由",
  "calculation.no_excluded": "除外した排出源はありません。",
};

const en = {
  // --- frame ---------------------------------------------------------------------
  "app.ministry": "Ministry of the Environment",
  "app.title": "The Japan's Voluntary Emissions Trading Registry System",
  "app.short": "JVETS Registry",
  "app.loading": "Loading…",
  "skip.link": "Skip to main content",
  "lang.toggle": "日本語",
  "lang.toggle_lang": "ja",
  "header.signed_in_as": "Signed in",
  "header.user": "User: {username}",
  "header.clock": "Current time (JST)",
  "header.market": "Trading window",
  "market.open": "Open",
  "market.closed": "Closed",
  "market.halted": "Halted",
  "market.until": "until {time}",
  "market.next_open": "Next opening: {time}",
  "market.reason": "Reason: {reason}",
  "market.loading": "Checking…",
  "market.unavailable": "Trading status unavailable",
  "nav.label": "Main menu",
  "nav.balance": "Balance",
  "nav.transfer": "Transfer",
  "nav.retire": "Retirement",
  "nav.history": "Transfer history",
  "nav.help": "Help & contact",
  "nav.logout": "Log out",
  "nav.login": "Sign in",
  "footer.text": "Registry of the Japan's Voluntary Emissions Trading Scheme (JVETS), Ministry of the Environment",
  "footer.hours": "Trading hours: 10:00-18:00 JST on business days",

  // --- common --------------------------------------------------------------------
  "common.loading": "Loading…",
  "common.amount": "{amount} t-CO2",
  "common.none": "-",
  "common.any": "Any",
  "common.print": "Print",
  "common.retry": "Retry",
  "common.reload": "Reload",
  "common.optional": "(optional)",
  "common.error_code": "Error code",
  "common.error_summary": "Please check your input.",
  "common.to_balance": "Go to balance",
  "common.to_history": "Go to transfer history",
  "common.page_title": "{title} | JVETS Registry",
  "common.not_found_title": "Page not found",
  "common.not_found": "There is no such page. Choose one from the menu.",

  // --- login ---------------------------------------------------------------------
  "login.title": "Sign in",
  "login.intro": "The participants' portal. Enter your username and password and press “Sign in”.",
  "login.username": "Username",
  "login.password": "Password",
  "login.submit": "Sign in",
  "login.busy": "Signing in…",
  "login.help": "If you cannot sign in, see “Help & contact”.",
  "login.contact_hint": "Please contact the secretariat.",
  "newpw.title": "Set a new password",
  "newpw.intro": "This is your first sign-in: replace the temporary password with a new one. You are then signed in.",
  "newpw.new": "New password",
  "newpw.confirm": "New password (again)",
  "newpw.policy": "At least 12 characters, with at least one upper-case letter, one lower-case letter, one digit and one symbol.",
  "newpw.submit": "Set the password and sign in",
  "newpw.busy": "Setting…",
  "newpw.cancel": "Back to sign in",
  "mfa.title": "Enter your code",
  "mfa.intro": "Your password is correct. Enter the 6-digit code your authenticator app shows.",
  "mfa.code": "Code (6 digits)",
  "mfa.code_hint": "The code changes every 30 seconds.",
  "mfa.submit": "Sign in",
  "mfa.busy": "Checking…",
  "mfasetup.title": "Set up multi-factor authentication",
  "mfasetup.intro": "Administrators sign in with their password and a code from an authenticator app. Register an authenticator app as follows.",
  "mfasetup.step_key": "Add this key to your authenticator app (Google Authenticator or similar):",
  "mfasetup.link": "Open in this device's authenticator app",
  "mfasetup.step_code": "Enter the 6-digit code the app shows and press “Register”. Then sign in again, with a code.",
  "mfasetup.submit": "Register",
  "mfasetup.busy": "Registering…",
  "notice.expired": "Your session has expired and you have been signed out. Please sign in again.",
  "notice.invalid": "Your session is no longer valid and you have been signed out. Please sign in again.",
  "notice.logged_out": "You have signed out.",
  "notice.mfa_enrolled": "Your authenticator app is registered. Sign in again with your password and a code.",
  "notice.mfa_expired": "The time to enter the code has run out. Please sign in again.",

  // --- balance -------------------------------------------------------------------
  "balance.title": "Balance",
  "balance.subtitle": "Display of detailed balance results",
  "balance.account_select": "Account to display",
  "balance.show": "Show",
  "balance.account": "Account number",
  "balance.holder": "Company name",
  "balance.status": "Account status",
  "balance.balance": "Balance of allowances",
  "balance.reserve": "Commitment reserve",
  "balance.transferable": "Transferable allowances",
  "balance.as_of": "As of (JST)",
  "balance.holdings": "Allowances held",
  "balance.no_holdings": "This account holds no allowances.",
  "balance.no_accounts": "You have no accounts to display.",
  "col.no": "No.",
  "col.origin": "Origin",
  "col.unit_type": "Allowance type",
  "col.issued_period": "Issued period",
  "col.adopted_period": "Adopted period",
  "col.project": "Project number",
  "col.serials": "Serial numbers",
  "col.amount": "Amount (t-CO2)",
  "col.line": "Line",
  "serial.range": "{start} – {end}",
  "account_status.open": "Open",
  "account_status.blocked": "Blocked",
  "account_status.closed": "Closed",

  // --- steps ---------------------------------------------------------------------
  "steps.label": "Progress",
  "steps.current": "(current step)",

  // --- transfer ------------------------------------------------------------------
  "transfer.title": "Transfer",
  "transfer.step.input": "Input",
  "transfer.step.confirm": "Confirm",
  "transfer.step.done": "Completed",
  "transfer.input_title": "Input information of allowance transfer (domestic)",
  "transfer.input_intro": "Enter the details below and press “Confirm”. Up to 10 lines can be transferred at once.",
  "transfer.sender_section": "Sender",
  "transfer.sender": "Sender's account number",
  "transfer.sender_name": "Sender's company name",
  "transfer.receiver_name": "Receiver's company name",
  "move.looking_up": "Looking up…",
  "transfer.receiver_section": "1. Receiver's account number",
  "transfer.receiver": "Receiver's account number",
  "transfer.receiver_hint": "e.g. JP-121-1053-0-25 (the last two digits are check digits)",
  "transfer.receiver_ok": "The format and the check digits are correct.",
  "transfer.lines_section": "2. Allowances to send",
  "transfer.confirm": "Confirm",
  "transfer.lines_heading": "Allowances to be transferred",
  "transfer.confirm_title": "Confirm allowance transfer",
  "transfer.confirm_intro": "The transfer below will be made. Check it and press “Execute transfer”.",
  "transfer.execute": "Execute transfer",
  "transfer.done_title": "Allowance transfer completed",
  "transfer.done_message": "The transfer is complete.",
  "transfer.again": "Make another transfer",
  "transfer.no_accounts": "You have no open account to send from.",
  "transfer.market_notice": "The trading window is closed, so transfers are not accepted now. Trading hours are 10:00-18:00 JST on business days.",
  "transfer.market_halted": "Trading has been halted by the secretariat.",

  // --- retirement ----------------------------------------------------------------
  "retire.title": "Retirement",
  "retire.step.input": "Input",
  "retire.step.confirm": "Confirm",
  "retire.step.done": "Completed",
  "retire.input_title": "Input information of retirement",
  "retire.input_intro": "Enter the account, the compliance period and the allowances to retire, then press “Confirm”. Retirement is possible outside trading hours. Retired allowances cannot be restored.",
  "retire.account_section": "Retire from",
  "retire.account": "Account number to retire from",
  "retire.holder": "Company name",
  "retire.period": "Compliance period",
  "retire.period_hint": "2 digits (e.g. 01)",
  "retire.lines_section": "Allowances to retire",
  "retire.lines_heading": "Allowances to be retired",
  "retire.confirm_title": "Confirm retirement",
  "retire.confirm_intro": "The allowances below will be retired. Retired allowances cannot be restored. Press “Execute retirement” to proceed.",
  "retire.execute": "Execute retirement",
  "retire.done_title": "Retirement completed",
  "retire.done_message": "The retirement is complete.",
  "retire.again": "Retire more",
  "retire.no_accounts": "You have no open account to retire from.",
  "retire.destination": "Retirement account",

  // --- movement (shared by transfer and retirement) ------------------------------
  "move.available": "Allowances held",
  "move.show_holdings": "Show the allowances held",
  "move.line_legend": "Line {n}",
  "move.add_line": "Add a line",
  "move.remove_line": "Remove",
  "move.remove_line_label": "Remove line {n}",
  "move.line_count": "{n} of 10 lines",
  "move.lines_hint": "Issued and adopted periods are 2 digits (e.g. 01); the project number is letters, digits and hyphens. These three are optional: leave them blank for any.",
  "move.total": "Total",
  "move.sending": "Sending…",
  "move.edit": "Back to the input to correct it",
  "move.back_to_edit": "Edit",
  "move.send_failed": "The request could not be completed.",
  "move.retry_hint": "If the result could not be confirmed, press “Retry”. The same request is sent again, so it is never carried out twice.",
  "move.tx_number": "Transaction number",
  "move.processed_at": "Processed at (JST)",
  "move.blocks": "Serial blocks moved",

  // --- history -------------------------------------------------------------------
  "history.title": "Transfer history",
  "history.intro": "Choose the account and the date range, then press “Search”.",
  "history.account": "Account number",
  "history.from": "From",
  "history.to": "To",
  "history.page_size": "Rows per page",
  "history.page_size_option": "{n} rows",
  "history.search": "Search",
  "history.range_sep": "–",
  "history.period": "Displayed period",
  "history.period_value": "{from} – {to}",
  "history.incoming": "Incoming allowances (total)",
  "history.outgoing": "Outgoing allowances (total)",
  "history.results": "Detailed transfer results",
  "history.none": "No transactions in this period.",
  "history.correction_flag": "Corrected",
  "history.correction_note": "* “Corrected” marks allowances moved by an error correction.",
  "history.details": "Details",
  "history.details_label": "Details of transaction {id}",
  "history.prev": "Previous page",
  "history.next": "Next page",
  "history.page": "Page {n}",
  "history.search_again_hint": "Search again from the start.",
  "col.date": "Date",
  "col.type": "Transaction type",
  "col.status": "Status",
  "col.from_name": "Sender",
  "col.to_name": "Receiver",
  "col.in": "In (t-CO2)",
  "col.out": "Out (t-CO2)",
  "col.correction": "Correction",
  "col.details": "Details",
  "tx_type.issuance": "Issuance",
  "tx_type.transfer": "Domestic transfer",
  "tx_type.retirement": "Retirement",
  "tx_type.cancellation": "Cancellation",
  "tx_status.completed": "Completed",

  // --- transaction details -------------------------------------------------------
  "detail.title": "Transaction details",
  "detail.id": "Transaction number",
  "detail.type": "Transaction type",
  "detail.status": "Status",
  "detail.date": "Date",
  "detail.created_at": "Processed at (JST)",
  "detail.from": "From",
  "detail.to": "To",
  "detail.amount": "Amount (total)",
  "detail.correction": "Correction",
  "detail.corrects": "Corrects transaction",
  "detail.corrected_by": "Corrected by transaction",
  "detail.reason": "Reason",
  "detail.compliance_period": "Compliance period",
  "detail.initiated_by": "Initiated by",
  "detail.initiated_by_admin": "The secretariat (administrator)",
  "detail.lines": "Allowances",
  "detail.blocks": "Serial blocks",
  "detail.back": "Back to the transfer history",
  "detail.party": "{name} ({account})",

  // --- help ----------------------------------------------------------------------
  "help.title": "Help & contact",
  "help.intro": "With this portal you can check the allowances you hold, transfer them to other accounts, retire them toward a compliance period and look up your transfer history.",
  "help.toc": "Contents",
  "help.balance.title": "Reading the balance",
  "help.balance.body": "“Balance of allowances” is everything the account holds.\n“Commitment reserve” is the amount the account must always keep to meet its target; no transfer may take the account below it.\n“Transferable allowances” is the balance minus the commitment reserve: the most you can transfer to other accounts.\nEach row of the table is a block of allowances with consecutive serial numbers: origin, allowance type (JPA or jCER), issued and adopted commitment periods, serial numbers and amount. “Print” prints the balance.",
  "help.transfer.title": "How to transfer",
  "help.transfer.body": "1. Open “Transfer”, choose the sending account and type the receiver's account number. Its last two digits are check digits and are checked as you type.\n2. Enter the allowances to send, one line each (up to 10 lines). The allowance type and the amount are required; the periods and the project number are optional.\n3. “Confirm” shows exactly what will move. Check it and press “Execute transfer”. Pressing the button twice or retrying never transfers twice.\n4. The completion notice shows the transaction number. The transfer also appears in “Transfer history”.",
  "help.retire.title": "How to retire",
  "help.retire.body": "Retirement moves allowances to the retirement account to cover the emissions of a compliance period. It takes the same three steps as a transfer: input, confirm, completed.\nRetirement is possible outside trading hours and is not limited by the commitment reserve. Retired allowances cannot be restored.",
  "help.history.title": "Transfer history",
  "help.history.body": "Lists the transactions in the chosen date range (by default the last 30 days) with the total allowances in and out over that range.\n“Corrected” marks a transaction made by an error correction. “Details” shows its serial numbers.",
  "help.hours.title": "Trading hours",
  "help.hours.body": "Transfers are accepted from 10:00 to 18:00 Japan Standard Time on business days.\nThere is no trading on Saturdays, Sundays, Japanese national holidays, or from 29 December to 3 January.\nThe top of each page shows whether trading is open now and when it next opens. The secretariat may halt trading.",
  "help.accounts.title": "Account numbers and check digits",
  "help.accounts.body": "An account number has the form registry-type-identifier-period-check digits, e.g. JP-121-1053-0-25.\nThe last two digits are ISO 7064 MOD 97-10 check digits that catch typing mistakes. If they do not match, check the number you were given by the receiver again.",
  "help.contact.title": "Contact",
  "help.contact.body": "JVETS registry help desk (JVETS Secretariat, Ministry of the Environment)\nHours: 9:30-18:00 JST on business days\nEmail: registry-help@example.jp\nPlease tell us your account number and, if you have them, the transaction number and the error code. Never tell anyone your password.",

  // --- client-side validation ----------------------------------------------------
  "validation.required": "Enter a value.",
  "validation.choose_account": "Choose an account.",
  "validation.account_format": "Enter the account number in the form JP-121-1053-0-25.",
  "validation.account_registry": "Only the registry code JP can be used.",
  "validation.account_type": "The account type (the 3 digits after JP) does not exist.",
  "validation.account_check": "The check digits do not match. Check the account number.",
  "validation.account_period": "The commitment period is not written correctly.",
  "validation.same_account": "The sender and the receiver must be different accounts.",
  "validation.amount": "Enter a whole number from 1 to 1,000,000,000.",
  "validation.period": "Enter 2 digits (e.g. 01).",
  "validation.project": "Use letters, digits and hyphens (up to 32).",
  "validation.date": "Enter a date.",
  "validation.password_length": "Enter at least 12 characters.",
  "validation.password_match": "The two passwords do not match.",
  "validation.code": "Enter the 6 digits.",
  "validation.date_order": "The start date must be on or before the end date.",

  // --- errors the portal names itself (no answer from the API with its error body) --
  "error.NETWORK_ERROR": "Could not reach the server. Check your connection and try again.",
  "error.GATEWAY_ERROR": "The server did not answer (busy or timed out). Please try again shortly.",
  "error.SIGNED_OUT": "You are not signed in or your session has ended. Please sign in again.",
  "error.UNEXPECTED_RESPONSE": "The server sent an unexpected response.",
  "error.CONFIG_UNAVAILABLE": "The portal's settings could not be loaded. Please reload later.",
  "error.UNKNOWN": "An error occurred.",

  // --- emissions management ------------------------------------------------------------
  "nav.registry": "Registry",
  "nav.emissions": "Emissions",
  "nav.sources": "Sources",
  "nav.monitoring": "Monitoring",
  "nav.sheets": "Performance sheet",
  "nav.calculation": "Calculation",
  "emissions.fiscal_year": "FY{year}",
  "emissions.fiscal_year_select": "Fiscal year",
  "emissions.show": "Show",
  "emissions.validation.number": "Enter the source number as a whole number from 1 to 99999.",
  "emissions.validation.site": "Choose a site.",
  "emissions.validation.quantity_required": "A saved quantity cannot be removed. Enter a quantity.",
  "category.fuel_combustion": "Fuel combustion",
  "category.purchased_electricity": "Purchased electricity",
  "category.purchased_heat": "Purchased heat",
  "category.non_energy": "Non-energy sources",
  "basis.fire_service_notification": "Fire Service Act notification",
  "basis.air_pollution_permit": "Air Pollution Control Act",
  "basis.delivery_slips": "Delivery slips",
  "basis.other": "Other",
  "sources.title": "Emission sources",
  "sources.subtitle": "Register your sites and emission sources. A temporarily saved source may be incomplete; a registered one takes monitoring data.",
  "sources.sites": "Sites",
  "sources.site_name_ja": "Site name (Japanese)",
  "sources.site_name_en": "Site name (English)",
  "sources.site_address": "Address",
  "sources.no_sites": "No site is registered. Add a site before registering sources.",
  "sources.add_site": "Add a site",
  "sources.add_site_submit": "Add the site",
  "sources.site_added": "Site \"{name}\" added.",
  "sources.table_title": "Sources",
  "sources.table_caption": "Emission sources (each row can be edited)",
  "sources.hint": "Edit the rows directly, then press \"Temp. save\" or \"Register\". The table scrolls sideways.",
  "sources.no_sources": "No source yet. Press \"Add sources\" to add a row.",
  "sources.retired_hint": "Enter a month (YYYY-MM) to retire a source: it takes no monitoring data from that month on.",
  "sources.in_use_hint": "A source with monitoring data cannot be deleted: set the month it is retired from instead.",
  "sources.col.number": "Source No.",
  "sources.col.name_ja": "Source (Japanese)",
  "sources.col.name_en": "Source (English)",
  "sources.col.site_id": "Site",
  "sources.col.categories": "Source categories",
  "sources.col.factor_key": "Fuel etc. (emission factor)",
  "sources.col.unit": "Unit",
  "sources.col.basis": "Identified from",
  "sources.col.basis_text": "Basis (other)",
  "sources.col.excluded": "Excluded",
  "sources.col.exclusion_reason": "Reason",
  "sources.col.cogeneration": "Cogeneration",
  "sources.col.external_supply": "External supply",
  "sources.col.notes": "Notes",
  "sources.col.retired_from": "Retired from",
  "sources.col.status": "Status",
  "sources.col.delete": "Delete",
  "sources.choose": "Choose",
  "sources.status.draft": "Draft",
  "sources.status.registered": "Registered",
  "sources.status.new": "Not saved",
  "sources.in_use": "(has data)",
  "sources.row_label": "source No. {n}",
  "sources.new_row_label": "new row {n}",
  "sources.delete": "Delete",
  "sources.delete_confirm": "Yes, delete",
  "sources.delete_cancel": "Keep",
  "sources.deleted": "Deleted {row}.",
  "sources.add_row": "Add sources",
  "sources.temp_save": "Temp. save",
  "sources.register": "Register",
  "sources.saving": "Saving…",
  "sources.saved": "{n} source(s) saved (temporary save).",
  "sources.registered": "{n} source(s) registered.",
  "sources.nothing_to_save": "There are no changes to save.",
  "monitoring.title": "Monitoring data",
  "monitoring.subtitle": "Enter each month's activity (quantity and unit) and its evidence, source by source.",
  "monitoring.source": "Source",
  "monitoring.excluded": "excluded",
  "monitoring.excluded_notice": "This source is excluded: it does not count in the calculation.",
  "monitoring.no_sources": "No source is registered. Register sources first under \"Sources\".",
  "monitoring.hint": "Enter quantities as numbers (up to 6 decimals). Units accepted: {units}",
  "monitoring.caption": "Monthly data of {source} ({year})",
  "monitoring.col.month": "Month",
  "monitoring.col.quantity": "Quantity",
  "monitoring.col.unit": "Unit",
  "monitoring.col.evidence": "Evidence file",
  "monitoring.col.state": "Status",
  "monitoring.state.saved": "Saved",
  "monitoring.state.empty": "No data",
  "monitoring.state.retired": "Retired",
  "monitoring.evidence_linked": "Evidence {id} attached",
  "monitoring.save": "Save",
  "monitoring.saved": "Saved {n} month(s) of {source}.",
  "monitoring.nothing_to_save": "There are no changes to save.",
  "monitoring.to_calculation": "See the calculation",
  "upload.stage.announcing": "Preparing the upload of \"{name}\"…",
  "upload.stage.sending": "Sending \"{name}\"…",
  "upload.stage.checking": "Checking \"{name}\"…",
  "upload.stage.accepted": "\"{name}\" was accepted.",
  "upload.stage.rejected": "\"{name}\" was not accepted.",
  "upload.stage.awaiting_upload": "The arrival of \"{name}\" could not be confirmed yet. Reload the page in a while.",
  "upload.stage.failed": "\"{name}\" could not be uploaded.",
  "sheets.title": "Performance management sheet",
  "sheets.subtitle": "Download the sheet (sources x months), fill it in and upload it.",
  "sheets.download_title": "Download the sheet",
  "sheets.download_intro": "An .xlsx file listing your registered sources. Enter each month's quantity and upload it (the protected factor and total cells are for reference and are never read back).",
  "sheets.download": "Download the sheet for {year}",
  "sheets.download_started": "The download has started.",
  "sheets.upload_title": "Upload the sheet",
  "sheets.file": "Sheet file (.xlsx)",
  "sheets.file_hint": "Choose the downloaded sheet once filled in (up to 10 MB).",
  "sheets.choose_file": "Choose a file.",
  "sheets.upload": "Upload",
  "sheets.document_id": "Document: {id}",
  "sheets.review": "Import result",
  "sheets.review_outcome.imported": "Imported: the calculation now uses it.",
  "sheets.review_outcome.refused": "Not imported: correct the cells listed and upload the sheet again.",
  "sheets.review_waiting": "The sheet is being checked. The result will appear on this page.",
  "sheets.table_caption": "Monthly data of {year} (as registered)",
  "sheets.problems_title": "Cells with problems",
  "sheets.problems_none_yet": "If the uploaded file has problems, the sheet and cell of each one are listed here.",
  "sheets.problem_sheet": "Sheet",
  "sheets.problem_cell": ", cell {cell}:",
  "sheets.problem_workbook": "Whole file:",
  "sheets.no_problems": "No cell has a problem.",
  "calculation.title": "Calculation",
  "calculation.subtitle": "The fiscal year's emissions by source, site and organisation, month by month.",
  "calculation.total_exact": "Emissions of the year (3 decimals)",
  "calculation.total_t": "Emissions of the year (whole tonnes, rounded down)",
  "calculation.rounding": "Monthly figures are added exactly and shown to 3 decimals (rounded half up). The year's total in whole tonnes is rounded down.",
  "calculation.months_title": "Monthly emissions (sites and organisation)",
  "calculation.months_caption": "Monthly emissions of each site and the organisation (t-CO2)",
  "calculation.sources_title": "Emissions by source",
  "calculation.sources_caption": "Monthly emissions of each source (t-CO2)",
  "calculation.missing_hint": "\"Missing\" marks a month without data.",
  "calculation.missing_mark": "Missing",
  "calculation.organisation": "Organisation total",
  "calculation.col.scope": "Scope",
  "calculation.col.year": "Year",
  "calculation.col.number": "Number",
  "calculation.col.source": "Source",
  "calculation.col.site": "Site",
  "calculation.col.factor": "Emission factor",
  "calculation.col.version": "Version",
  "calculation.col.coefficient": "Factor",
  "calculation.col.valid": "Valid",
  "calculation.per_unit": "{value} t-CO2 per {unit}",
  "calculation.valid": "{from} to {to}",
  "calculation.open_ended": "open-ended",
  "calculation.factors": "Emission factors used",
  "calculation.missing": "Months without data ({n})",
  "calculation.missing_item": "Number {number} {source}: {month}",
  "calculation.no_missing": "Every month has data.",
  "calculation.excluded": "Excluded sources",
  "calculation.excluded_item": "Number {number} {source}",
  "calculation.reason": "Reason",
  "calculation.no_excluded": "No source is excluded.",
};

export const dictionaries = Object.freeze({ ja, en });

let current = DEFAULT_LANG;

function storage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled: the language lasts for this page only
  }
}

/** The stored language (or the default), applied to <html lang>. */
export function initLang() {
  const stored = storage()?.getItem(STORAGE_KEY);
  current = LANGS.includes(stored) ? stored : DEFAULT_LANG;
  applyToDocument();
  return current;
}

export function getLang() {
  return current;
}

export function setLang(lang) {
  if (!LANGS.includes(lang)) throw new Error(`unknown language ${lang}`);
  current = lang;
  try {
    storage()?.setItem(STORAGE_KEY, lang);
  } catch {
    // private mode or full storage: keep the choice for this page
  }
  applyToDocument();
}

function applyToDocument() {
  if (typeof document !== "undefined") document.documentElement.lang = current;
}

export function hasKey(key) {
  return Object.prototype.hasOwnProperty.call(dictionaries[current], key);
}

/** The text for a key in the current language, with {name} placeholders filled in. */
export function t(key, params = {}) {
  const dictionary = dictionaries[current];
  const text = Object.prototype.hasOwnProperty.call(dictionary, key) ? dictionary[key] : key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

// --- formatting -----------------------------------------------------------------------

const LOCALES = { ja: "ja-JP", en: "en-GB" };
const formatters = new Map();

function formatter(kind, options) {
  const key = `${current}:${kind}`;
  if (!formatters.has(key)) {
    formatters.set(key, kind === "number"
      ? new Intl.NumberFormat(LOCALES[current], options)
      : new Intl.DateTimeFormat(LOCALES[current], { timeZone: TIME_ZONE, ...options }));
  }
  return formatters.get(key);
}

/** 1125 -> "1,125". */
export function fmtNumber(value) {
  return formatter("number", { maximumFractionDigits: 0 }).format(Number(value));
}

/** 1125 -> "1,125 t-CO2". */
export function fmtAmount(value) {
  return t("common.amount", { amount: fmtNumber(value) });
}

/**
 * A decimal string from the API ("12345.600") with thousands separators, never parsed
 * to a float: "12,345.600". Anything that is not a plain decimal is shown as it is.
 */
export function fmtDecimal(text) {
  const value = String(text ?? "");
  const match = /^(-?)(\d+)(\.\d+)?$/.exec(value);
  if (!match) return value;
  return match[1] + match[2].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (match[3] || "");
}

/** "2025-04" -> "2025年4月" / "Apr 2025". */
export function fmtMonth(month) {
  const [year, number] = String(month).split("-").map(Number);
  if (!year || !number) return String(month);
  return formatter("month", { year: "numeric", month: "short" }).format(new Date(Date.UTC(year, number - 1, 15, 3)));
}

function toDate(value) {
  if (value instanceof Date) return value;
  const text = String(value);
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return new Date(`${text}T12:00:00+09:00`);
  // Trim sub-millisecond digits ("16:46:15.152487+09:00") for every engine.
  return new Date(text.replace(/(\.\d{3})\d+/, "$1"));
}

/** A JST calendar date: "2026/11/29" or "29 Nov 2026". */
export function fmtDate(value) {
  const date = toDate(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return current === "ja"
    ? formatter("date", { year: "numeric", month: "2-digit", day: "2-digit" }).format(date)
    : formatter("date", { year: "numeric", month: "short", day: "numeric" }).format(date);
}

/** A JST date and time: "2026/11/29 16:46:15" or "29 Nov 2026, 16:46:15". */
export function fmtDateTime(value, { seconds = true, weekday = false } = {}) {
  const date = toDate(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const options = {
    year: "numeric", month: current === "ja" ? "2-digit" : "short", day: current === "ja" ? "2-digit" : "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  };
  if (seconds) options.second = "2-digit";
  if (weekday) options.weekday = "short";
  return formatter(`datetime:${seconds}:${weekday}`, options).format(date);
}

/** A JST time of day: "18:00". */
export function fmtTime(value) {
  const date = toDate(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return formatter("time", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(date);
}

/** Today's date in JST as YYYY-MM-DD, shifted by a number of days. */
export function jstDateString(offsetDays = 0, now = new Date()) {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit" })
    .formatToParts(now)
    .reduce((all, part) => ({ ...all, [part.type]: part.value }), {});
  const day = new Date(Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day) + offsetDays));
  return day.toISOString().slice(0, 10);
}

// The notice board's texts (views/matching/texts.js), in the same dictionaries.
import { MATCHING_TEXTS } from "./views/matching/texts.js";
Object.assign(ja, MATCHING_TEXTS.ja);
Object.assign(en, MATCHING_TEXTS.en);
